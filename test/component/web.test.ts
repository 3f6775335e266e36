import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { connect, type AddressInfo, type Server } from 'node:net'
import request from 'supertest'
import { listDisclosures } from '../../src/audit/read.js'
import { createAuditLog } from '../../src/audit/disclosures.js'
import { createRateLimits } from '../../src/limits/rate-limits.js'
import { WHOIS_TERMS_OF_USE } from '../../src/whois/render.js'
import { createWhoisServer } from '../../src/whois/server.js'
import { startTestApp } from '../helpers/app.js'
import { ENGINE, silentLog } from '../helpers/db.js'
import { PRIVACY_REGISTRANT_VALUES } from '../helpers/rdap.js'
import { startWebTestApp, type WebTestApp } from '../helpers/web.js'

let w: WebTestApp
beforeAll(async () => {
  w = await startWebTestApp()
})
afterAll(async () => {
  await w.t.close()
})

const page = (path: string) => request(w.t.app).get(path).set('Accept', 'text/html')
const api = (path: string, token?: string) => {
  const r = request(w.t.app).get(path)
  return token ? r.set('Authorization', `Bearer ${token}`) : r
}

/** the text a reader sees: tags dropped, entities of the data decoded */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')

describe(`web pages (${ENGINE})`, () => {
  test('the lookup page is HTML under a strict policy: own scripts and styles only, none inline', async () => {
    const res = await page('/').expect(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    const csp = res.headers['content-security-policy']
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/)
    expect(res.text).toMatch(/<label for="q">/)
    // no inline script or style, no asset from elsewhere
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc="\/assets\/)[^>]*>/)
    expect(res.text).not.toMatch(/\sstyle="|<style/)
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\/(?!www\.registrar)/)
  })

  test("privacy.example: the registrant's organization, state and country are shown, the person withheld", async () => {
    const res = await page('/?q=privacy.example').expect(200)
    const text = textOf(res.text)
    expect(text).toContain('privacy.example')
    expect(text).toMatch(/Registrant .*Organization None given .*State or province NW/)
    expect(text).toMatch(/Country DE/)
    expect(text).toMatch(/Locked against transfer by the registrar/)
    expect(text).toMatch(/Abuse contact e-mail abuse@registrar-one\.example/)
    // each withheld field is marked, with the policy's reason
    expect(text).toMatch(/Registrant .*Name Withheld for privacy reason 2 /)
    expect(res.text).toMatch(
      /<li id="why-2" value="2">Personal data: the calzone policy discloses it only to the sponsoring registrar and accredited requesters for law enforcement, cybersecurity, intellectual-property protection and consumer protection, or publishes it when the contact consents to publish it\.<\/li>/,
    )
    expect(res.text.match(/class="row withheld"/g)!.length).toBeGreaterThanOrEqual(10)
    // the anonymized address stands where the e-mail was
    expect(text).toMatch(
      /E-mail [0-9a-f]{32}@anonymized\.nic\.example The real address is withheld/,
    )
    for (const v of PRIVACY_REGISTRANT_VALUES) expect(res.text).not.toContain(v)
  })

  test('the page never shows more than public RDAP: every value the public cannot read there is absent here', async () => {
    const names = ['privacy.example', 'company.example', 'consent.example', 'xn--bcher-kva.example']
    const le = await w.le()
    for (const name of names) {
      const [html, rdap, full] = await Promise.all([
        page(`/?q=${name}`).expect(200),
        api(`/rdap/domain/${name}`).expect(200),
        api(`/rdap/domain/${name}`, le).expect(200),
      ])
      // the page shows the registrar as its own public RDAP entity does (address included)
      const ianaId = (rdap.body.entities as Array<{ roles: string[]; handle: string }>).find((e) =>
        e.roles.includes('registrar'),
      )!.handle
      const registrar = await api(`/rdap/entity/${ianaId}`).expect(200)
      const publicText = JSON.stringify([rdap.body, registrar.body])
      const values = new Set<string>()
      const walk = (v: unknown): void => {
        if (typeof v === 'string' && v.length > 3) values.add(v)
        else if (Array.isArray(v)) v.forEach(walk)
        else if (v && typeof v === 'object') Object.values(v).forEach(walk)
      }
      walk((full.body as { entities?: unknown }).entities)
      const hidden = [...values].filter((v) => !publicText.includes(v))
      expect(hidden.length).toBeGreaterThan(0)
      for (const v of hidden) expect(textOf(html.text)).not.toContain(v)
    }
  })

  test('a token sent to the page does not raise its view: the page is the public one', async () => {
    const res = await page('/?q=privacy.example').set('Authorization', `Bearer ${await w.le()}`)
    expect(res.status).toBe(200)
    for (const v of PRIVACY_REGISTRANT_VALUES) expect(res.text).not.toContain(v)
  })

  test('a U-label finds the IDN, shown beside its A-label', async () => {
    const res = await page(`/?q=${encodeURIComponent('BÜCHER.example')}`).expect(200)
    expect(textOf(res.text)).toMatch(/Domain name bücher\.example \(xn--bcher-kva\.example\)/)
    expect(res.text).toMatch(/<h1>bücher\.example<\/h1>/)
  })

  test('name servers and registrars are found from the same box', async () => {
    const ns = await page('/?q=ns1.nic.example').expect(200)
    expect(textOf(ns.text)).toMatch(/IPv4 addresses 193\.0\.9\.53/)
    const byId = await page('/?q=1003').expect(200)
    expect(textOf(byId.text)).toMatch(/Name Pacific Domains Ltd\. IANA ID 1003/)
    const byName = await page('/?q=Nordic%20Names').expect(200)
    expect(textOf(byName.text)).toMatch(/IANA ID 1002/)
  })

  test('what cannot be found or read is a sentence with the right status', async () => {
    const missing = await page('/?q=nosuch.example').expect(404)
    expect(textOf(missing.text)).toContain(
      'No domain, name server or registrar named nosuch.example was found.',
    )
    expect(missing.headers['cache-control']).toBe('no-store')
    const malformed = await page('/?q=a..b').expect(400)
    expect(textOf(malformed.text)).toContain(
      '"a..b" is not a domain name: the name has an empty label.',
    )
    const tld = await page('/?q=nosuch.zz').expect(404)
    expect(textOf(tld.text)).toMatch(
      /This registry does not serve the TLD \.zz; it serves \.example/,
    )
    const nobody = await page('/?q=No%20Such%20Registrar').expect(404)
    expect(textOf(nobody.text)).toContain('No registrar is named "No Such Registrar".')
    // data from the query is escaped, never markup
    const xss = await page(`/?q=${encodeURIComponent('<script>alert(1)</script>')}`)
    expect(xss.text).not.toContain('<script>alert')
    expect(xss.text).toContain('&lt;script&gt;')
  })

  test('over the public budget the page says when to come back, with 429 and Retry-After', async () => {
    const limits = createRateLimits(
      { RATE_LIMIT_PUBLIC: '2/60', RATE_LIMIT_AUTHENTICATED: '0' },
      silentLog,
    )
    const limited = await startTestApp({ limits })
    try {
      for (let i = 0; i < 2; i++) await request(limited.app).get('/?q=privacy.example').expect(200)
      const res = await request(limited.app).get('/?q=privacy.example').expect(429)
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
      expect(textOf(res.text)).toMatch(
        /Too many lookups from your address\. Try again in \d+ seconds\./,
      )
    } finally {
      await limits.close()
      await limited.close()
    }
  })

  test('with the database gone the page says so: 503, Retry-After, no detail of the failure', async () => {
    const broken = await startTestApp()
    await broken.db.close()
    const res = await request(broken.app).get('/?q=privacy.example').expect(503)
    expect(res.headers['retry-after']).toBe('5')
    expect(textOf(res.text)).toContain(
      'The registration data is unavailable just now. Try again in a few seconds.',
    )
    expect(res.text).not.toMatch(/Error|at |pglite|postgres/i)
  })

  test('the terms page says what the service is, what each requester sees, and the limits', async () => {
    const limits = createRateLimits(
      { RATE_LIMIT_PUBLIC: '120/60', RATE_LIMIT_AUTHENTICATED: '1200/60' },
      silentLog,
    )
    const app = await startTestApp({ limits })
    try {
      const text = textOf((await request(app.app).get('/terms').expect(200)).text)
      expect(text).toMatch(/The policy in force is calzone \(version 1\)/)
      expect(text).toMatch(/the public Organization, State or province, Country/)
      expect(text).toMatch(/accredited law enforcement Contact ID, Name, Organization, Street/)
      expect(text).toMatch(/120 queries every 60 seconds for each address/)
      expect(text).toMatch(/1200 queries every 60 seconds for each authenticated requester/)
    } finally {
      await limits.close()
      await app.close()
    }
  })

  test('RDAP links its terms of service to /terms when TERMS_URL is unset', async () => {
    const app = await startTestApp({ site: { publicBaseUrl: 'https://rdap.nic.example/rdap/' } })
    try {
      const res = await request(app.app).get('/rdap/domain/privacy.example').expect(200)
      const link = (res.body.notices as Array<{ links?: Array<{ rel: string; href: string }> }>)
        .flatMap((n) => n.links ?? [])
        .find((l) => l.rel === 'terms-of-service')
      expect(link?.href).toBe('https://rdap.nic.example/terms')
    } finally {
      await app.close()
    }
  })

  test('assets are a fixed list; a browser asking for a missing page gets a page, RDAP clients JSON', async () => {
    const css = await request(w.t.app).get('/assets/site.css').expect(200)
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
    await request(w.t.app).get('/assets/..%2fpackage.json').expect(404)
    await request(w.t.app).get('/assets/nope.js').expect(404)
    const html = await page('/nope').expect(404)
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8')
    const json = await request(w.t.app).get('/nope').expect(404)
    expect(json.headers['content-type']).toBe('application/rdap+json; charset=utf-8')
  })
})

describe(`the registrar workbench API (${ENGINE})`, () => {
  interface Field {
    path: string
    shown: boolean
    value?: string
    method?: string
    rule: string
    because: string
  }
  interface Answer {
    sponsor: boolean
    views: Array<{ audience: string; fields: Field[] }>
    served: { rdap: string; whois: string }
  }
  const field = (a: Answer, audience: string, path: string) =>
    a.views.find((v) => v.audience === audience)!.fields.find((f) => f.path === path)!

  test('needs a registrar token: 401 without one, 403 with another kind', async () => {
    const none = await api('/registrar/api/domain/privacy.example').expect(401)
    expect(none.headers['www-authenticate']).toBe('Bearer realm="rdap"')
    await api('/registrar/api/domain/privacy.example', await w.le()).expect(403)
    await api('/registrar/api/domains', await w.le()).expect(403)
    await api('/registrar/api/domain/privacy.example', 'not-a-token').expect(401)
  })

  test('its own domain: its view, the public one and each accredited purpose, with rules; audited', async () => {
    const before = (await listDisclosures(w.t.db.primary)).length
    const res = await api('/registrar/api/domain/PRIVACY.example', await w.registrar(1001)).expect(
      200,
    )
    expect(res.headers['cache-control']).toBe('no-store')
    const a = res.body as Answer
    expect(a.sponsor).toBe(true)
    expect(a.views.map((v) => v.audience)).toEqual([
      'registrar',
      'public',
      'accredited:law-enforcement',
      'accredited:cybersecurity',
      'accredited:ip-protection',
      'accredited:consumer-protection',
    ])
    expect(field(a, 'registrar', 'registrant.name')).toMatchObject({
      shown: true,
      value: 'Erika Mustermann',
      because: 'shown to registrar',
    })
    expect(field(a, 'public', 'registrant.name')).toEqual({
      path: 'registrant.name',
      shown: false,
      method: 'emptyValue',
      rule: expect.stringMatching(
        /^registrant\.name: \{ show: \[registrar, accredited:law-enforcement/,
      ),
      because: 'not shown to public, and no condition of alsoWhen holds for this contact',
    })
    expect(field(a, 'public', 'registrant.email')).toMatchObject({
      shown: false,
      method: 'replacementValue',
      replacement: expect.stringMatching(/@anonymized\.nic\.example$/),
    })
    expect(field(a, 'accredited:ip-protection', 'registrant.phone')).toMatchObject({
      shown: false,
      method: 'removal',
    })
    expect(field(a, 'accredited:law-enforcement', 'registrant.phone')).toMatchObject({
      shown: true,
      value: '+49.2214711',
    })
    // no value in the public column that the public does not see
    for (const f of a.views[1]!.fields) if (!f.shown) expect(f.value).toBeUndefined()
    const rows = await listDisclosures(w.t.db.primary)
    expect(rows.length).toBe(before + 1)
    expect(rows.at(-1)).toMatchObject({ audience: 'registrar', objectHandle: 'privacy.example' })
  })

  test("another registrar's domain: only the public view, and nothing personal in the answer", async () => {
    const res = await api('/registrar/api/domain/privacy.example', await w.registrar(1002)).expect(
      200,
    )
    const a = res.body as Answer
    expect(a.sponsor).toBe(false)
    expect(a.views.map((v) => v.audience)).toEqual(['public'])
    for (const v of PRIVACY_REGISTRANT_VALUES) expect(JSON.stringify(a)).not.toContain(v)
  })

  test('the downloads are the public answers exactly as RDAP and port 43 serve them', async () => {
    const a = (
      await api('/registrar/api/domain/privacy.example', await w.registrar(1001)).expect(200)
    ).body as Answer
    const rdap = await api('/rdap/domain/privacy.example').expect(200)
    // the same bytes but for the time of each answer
    const rdapStamp = (t: string) =>
      t.replace(/("last update of RDAP database","eventDate":")[^"]+/, '$1')
    expect(rdapStamp(a.served.rdap)).toBe(rdapStamp(rdap.text))

    const whois: Server = createWhoisServer({
      reader: w.t.db.reader,
      policy: w.t.policy,
      audit: createAuditLog(w.t.db.primary),
      log: silentLog,
      termsOfUse: WHOIS_TERMS_OF_USE,
    })
    await new Promise<void>((resolve) => whois.listen(0, '127.0.0.1', resolve))
    try {
      const served = await new Promise<string>((resolve, reject) => {
        const socket = connect((whois.address() as AddressInfo).port, '127.0.0.1')
        const chunks: Buffer[] = []
        socket.on('data', (c) => chunks.push(c))
        socket.on('error', reject)
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
        socket.write('privacy.example\r\n')
      })
      const stamp = (t: string) => t.replace(/Last update of WHOIS database: \S+/, 'Last update')
      expect(stamp(a.served.whois)).toBe(stamp(served))
    } finally {
      await new Promise((resolve) => whois.close(resolve))
    }
  })

  test('lists its own domains in name order, a page at a time', async () => {
    const res = await api('/registrar/api/domains', await w.registrar(1001)).expect(200)
    expect(res.body).toEqual({ domains: ['privacy.example', 'xn--bcher-kva.example'] })
    const after = await api(
      '/registrar/api/domains?after=privacy.example',
      await w.registrar(1001),
    ).expect(200)
    expect(after.body).toEqual({ domains: ['xn--bcher-kva.example'] })
    const other = await api('/registrar/api/domains', await w.registrar(1002)).expect(200)
    expect(other.body.domains).not.toContain('privacy.example')
  })

  test('bad names and missing domains are RDAP errors', async () => {
    const token = await w.registrar(1001)
    await api('/registrar/api/domain/a..b', token).expect(400)
    await api('/registrar/api/domain/nosuch.example', token).expect(404)
  })
})
