import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import request from 'supertest'
import { addAccreditation } from '../../src/auth/accreditations.js'
import { buildIssuers } from '../../src/auth/issuers.js'
import { listDisclosures } from '../../src/audit/read.js'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { ENGINE } from '../helpers/db.js'
import { expectRedactionsHold, PRIVACY_REGISTRANT_VALUES } from '../helpers/rdap.js'
import { makeKey, signToken, writeJwksFile, type TestKey } from '../helpers/tokens.js'

type Json = Record<string, unknown>
type Item = Json & { ldhName?: string; handle?: string }

const LA = 'https://la.test'
const PORTAL = 'https://portal.test'
const IPC = 'https://ipc.test'
const AUD = 'rdap'
const BY = { operator: 'test', host: 'localhost' }

let t: TestApp
let laKey: TestKey
let portalKey: TestKey
let ipcKey: TestKey

beforeAll(async () => {
  ;[laKey, portalKey, ipcKey] = await Promise.all([
    makeKey('la-1'),
    makeKey('portal-1'),
    makeKey('ipc-1'),
  ])
  const issuers = await buildIssuers(
    [
      {
        iss: LA,
        audience: AUD,
        jwksFile: await writeJwksFile([laKey]),
        grants: ['accredited:law-enforcement'],
      },
      {
        iss: PORTAL,
        audience: AUD,
        jwksFile: await writeJwksFile([portalKey]),
        grants: ['registrar'],
      },
      {
        iss: IPC,
        audience: AUD,
        jwksFile: await writeJwksFile([ipcKey]),
        grants: ['accredited:ip-protection'],
      },
    ],
    '/',
  )
  t = await startTestApp({ issuers })
  await addAccreditation(
    t.db.primary,
    { id: 'acc-le', holder: 'Police', issuer: LA, purposes: ['law-enforcement'] },
    BY,
  )
  await addAccreditation(
    t.db.primary,
    { id: 'acc-ipc', holder: 'Brand Protection', issuer: IPC, purposes: ['ip-protection'] },
    BY,
  )
})
afterAll(async () => {
  await t.close()
})

const le = () =>
  signToken(laKey, {
    iss: LA,
    aud: AUD,
    sub: 'officer-7',
    claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le' },
  })
const ipc = () =>
  signToken(ipcKey, {
    iss: IPC,
    aud: AUD,
    claims: { rdap_allowed_purposes: ['ip-protection'], accreditation_id: 'acc-ipc' },
  })
const registrar = (id: number) =>
  signToken(portalKey, {
    iss: PORTAL,
    aud: AUD,
    sub: `registrar-${id}`,
    claims: { registrar_iana_id: id },
  })

async function get(path: string, token?: string) {
  const r = request(t.app).get(path)
  return token ? r.set('Authorization', `Bearer ${token}`) : r
}

const itemsOf = (body: Json): Item[] =>
  (body.domainSearchResults ?? body.nameserverSearchResults ?? body.entitySearchResults) as Item[]
const namesOf = (body: Json) => itemsOf(body).map((i) => i.ldhName ?? i.handle)

/** every page of a search, following the next links */
async function walk(path: string, token?: string): Promise<{ pages: Json[]; items: Item[] }> {
  const pages: Json[] = []
  let next: string | undefined = path
  while (next) {
    const res = await get(next, token)
    expect(res.status).toBe(200)
    pages.push(res.body as Json)
    const links = (
      (res.body as Json).paging_metadata as { links?: { rel: string; href: string }[] }
    ).links
    const href = links?.find((l) => l.rel === 'next')?.href
    next = href ? new URL(href).pathname + new URL(href).search : undefined
    expect(pages.length).toBeLessThan(20)
  }
  return { pages, items: pages.flatMap(itemsOf) }
}

describe('searches for the public', () => {
  test('domains by name prefix: the lookup of each, with what it withholds', async () => {
    const res = await get('/rdap/domains?name=pri*')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/rdap\+json/)
    expect(namesOf(res.body)).toEqual(['privacy.example'])
    const [item] = itemsOf(res.body)
    const lookup = (await get('/rdap/domain/privacy.example')).body as Json
    // the same object as the lookup, less what only the top of a response carries
    const { rdapConformance: _c, notices: _n, redacted: lookupRedacted, ...rest } = lookup
    const { redacted: itemRedacted, ...itemRest } = item!
    // links carry the URL asked as their context (RFC 8288): the search's, not the lookup's
    // the request's own URL and the time of each answer (two requests may straddle a second)
    const contextless = (o: unknown) =>
      JSON.parse(
        JSON.stringify(o)
          .replace(/"value":"https:\/\/rdap\.nic\.example\/rdap\/[^"]*"/g, '"value":""')
          .replace(/("last update of RDAP database","eventDate":")[^"]+/, '$1'),
      )
    expect(contextless(itemRest)).toEqual(contextless(rest))
    expect((itemRedacted as Json[]).length).toBe((lookupRedacted as Json[]).length)
    expect(JSON.stringify(res.body)).not.toMatch(/Mustermann|Heidestraße|erika\.mustermann/)
    expect(res.body.rdapConformance).toEqual(
      expect.arrayContaining(['rdap_level_0', 'redacted', 'sorting', 'paging']),
    )
    expect(res.body.rdapConformance).not.toContain('reverse_search')
    // notices only on top (RCT -12218)
    expect(item).not.toHaveProperty('notices')
    expect(item).not.toHaveProperty('rdapConformance')
  })

  test("each result's redactions select in the whole response", async () => {
    const res = await get('/rdap/domains?name=*.example')
    const items = itemsOf(res.body)
    items.forEach((item, i) => {
      for (const e of (item.redacted ?? []) as Json[])
        for (const key of ['prePath', 'postPath', 'replacementPath'])
          if (typeof e[key] === 'string')
            expect(e[key]).toMatch(new RegExp(`^\\$\\.domainSearchResults\\[${i}\\]`))
    })
    // evaluated on each item as its own response, the paths hold
    for (const item of items)
      expectRedactionsHold({
        ...item,
        rdapConformance: res.body.rdapConformance,
        redacted: ((item.redacted ?? []) as Json[]).map((e) =>
          Object.fromEntries(
            Object.entries(e).map(([k, v]) => [
              k,
              typeof v === 'string' ? v.replace(/^\$\.domainSearchResults\[\d+\]/, '$') : v,
            ]),
          ),
        ),
      })
  })

  test('a trailing slash or another case names the same search', async () => {
    for (const path of ['/rdap/domains/?name=pri*', '/rdap/Domains?name=pri*'])
      expect(namesOf((await get(path)).body)).toEqual(['privacy.example'])
  })

  test('U-labels: a whole name or a partial label', async () => {
    expect(namesOf((await get('/rdap/domains?name=b%C3%BCcher.example')).body)).toEqual([
      'xn--bcher-kva.example',
    ])
    const partial = await get('/rdap/domains?name=b%C3%BCch*')
    expect(namesOf(partial.body)).toEqual(['xn--bcher-kva.example'])
    expect(itemsOf(partial.body)[0]!.unicodeName).toBe('bücher.example')
    expect(namesOf((await get('/rdap/domains?name=%E7%AF%84%E4%BE%8B.*')).body)).toEqual([
      'xn--fsqy19h.xn--kpry57d',
    ])
  })

  test('domains by name server and by its address (any IPv6 spelling)', async () => {
    const byNs = await get('/rdap/domains?nsLdhName=ns1.company.example')
    expect(namesOf(byNs.body)).toEqual(['company.example'])
    const byNsPattern = await get('/rdap/domains?nsLdhName=ns1.comp*')
    expect(namesOf(byNsPattern.body)).toEqual(['company.example'])
    const byIp = await get('/rdap/domains?nsIp=195.66.240.130')
    expect(namesOf(byIp.body)).toEqual(['company.example'])
    const hosts = await get('/rdap/nameservers?ip=2001:0678:0020:0:0:0:0:0053')
    expect(namesOf(hosts.body)).toEqual(['ns2.nic.example'])
    const byName = await get('/rdap/nameservers?name=ns*.nic.example')
    expect(namesOf(byName.body)).toEqual(['ns1.nic.example', 'ns2.nic.example'])
  })

  test('domains by name server follow every change of the domains', async () => {
    const db = t.db.primary
    await db.query(
      `update domains set nameservers = '{ns.moved.example.net,ns2.nic.example}' where ldh_name = 'signed.example'`,
    )
    expect(namesOf((await get('/rdap/domains?nsLdhName=ns.moved.example.net')).body)).toEqual([
      'signed.example',
    ])
    expect(namesOf((await get('/rdap/domains?nsLdhName=ns1.nic.example')).body)).not.toContain(
      'signed.example',
    )
    await db.query(
      `insert into domains (roid, ldh_name, registrar_iana_id, created_at, expires_at, nameservers)
       values ('DT1-EXAMPLE', 'transient.example', 1001, now(), now() + interval '1 year', '{ns.moved.example.net}')`,
    )
    expect(namesOf((await get('/rdap/domains?nsLdhName=ns.moved.example.net')).body)).toEqual([
      'signed.example',
      'transient.example',
    ])
    await db.query(`delete from domains where ldh_name = 'transient.example'`)
    await db.query(
      `update domains set nameservers = '{ns1.nic.example,ns2.nic.example}' where ldh_name = 'signed.example'`,
    )
    expect((await get('/rdap/domains?nsLdhName=ns.moved.example.net')).status).toBe(404)
    const { items } = await walk('/rdap/domains?nsLdhName=ns1.nic.example')
    expect(items.map((i) => i.ldhName)).toContain('signed.example')
  })

  test('entities: registrars by name and IANA id; a contact only by its whole handle', async () => {
    expect(namesOf((await get('/rdap/entities?fn=Nordic*')).body)).toEqual(['1002'])
    expect(namesOf((await get('/rdap/entities?handle=1001')).body)).toEqual(['1001'])
    // a whole handle is the lookup anyone may make
    expect(namesOf((await get('/rdap/entities?handle=C1001-EXAMPLE')).body)).toEqual([
      'C1001-EXAMPLE',
    ])
    // a pattern would list handles the public view withholds
    expect((await get('/rdap/entities?handle=C100*')).status).toBe(404)
  })

  test('nothing withheld can be searched: privacy.example is not found by its registrant', async () => {
    for (const path of [
      '/rdap/entities?fn=Erika*',
      '/rdap/entities?fn=*Mustermann',
      '/rdap/entities?fn=Erika%20Mustermann',
      '/rdap/entities?handle=C1001*',
    ]) {
      const res = await get(path)
      expect({ path, status: res.status }).toEqual({ path, status: 404 })
      // the same answer as for a name nobody has: absence says nothing
      expect(res.body.description).toEqual(['No entities matched the search.'])
    }
    const none = await get('/rdap/entities?fn=Nobody*')
    expect(none.body.description).toEqual(['No entities matched the search.'])
    for (const path of [
      '/rdap/domains/reverse_search/entity?fn=Erika*',
      '/rdap/domains/reverse_search/entity?email=erika*',
      '/rdap/domains/reverse_search/entity?handle=C1001-EXAMPLE&role=registrant',
    ])
      expect((await get(path)).status).toBe(401)
    // and no public search shows a personal value
    for (const path of [
      '/rdap/domains?name=*.example&count=true',
      '/rdap/domains?nsLdhName=ns1.nic.example',
      '/rdap/entities?fn=*a*',
    ]) {
      const text = JSON.stringify((await get(path)).body)
      // (mail.example is also the domain of consent.example's published address)
      for (const value of PRIVACY_REGISTRANT_VALUES.filter((v) => v !== 'mail.example'))
        expect({ path, value, found: text.includes(value) }).toEqual({ path, value, found: false })
    }
  })

  test('a search whose matches depend on each object says it is limited by authorization', async () => {
    const res = await get('/rdap/entities?fn=*names*')
    expect(namesOf(res.body)).toEqual(['1002'])
    const notice = (res.body.notices as { type?: string }[]).find(
      (n) => n.type === 'result set truncated due to authorization',
    )
    expect(notice).toBeDefined()
    const byName = await get('/rdap/domains?name=pri*')
    expect((byName.body.notices as { type?: string }[]).map((n) => n.type)).not.toContain(
      'result set truncated due to authorization',
    )
  })
})

describe('every search type, for each kind of viewer', () => {
  const SEARCHES = [
    'domains?name=*.example',
    'domains?nsLdhName=ns2.nic.example',
    'domains?nsIp=194.0.28.53',
    'nameservers?name=ns*',
    'nameservers?ip=193.0.9.53',
    'entities?fn=*nam*',
    'entities?handle=100*',
  ]
  const lookupPath = (item: Item) =>
    item.objectClassName === 'domain'
      ? `domain/${item.ldhName}`
      : item.objectClassName === 'nameserver'
        ? `nameserver/${item.ldhName}`
        : `entity/${item.handle}`
  // links carry the URL asked as their context (RFC 8288), redaction paths start at the result,
  // and the database's last update is the time of each answer
  const comparable = (o: unknown) =>
    JSON.parse(
      JSON.stringify(o)
        .replace(/"value":"https:\/\/rdap\.nic\.example\/rdap\/[^"]*"/g, '"value":""')
        .replace(/\$\.(domain|nameserver|entity)SearchResults\[\d+\]/g, '$')
        .replace(/("last update of RDAP database","eventDate":)"[^"]*"/g, '$1""'),
    )

  test.each([
    ['anonymous', async () => undefined],
    ['registrar 1001', () => registrar(1001)],
    ['law enforcement', le],
  ])('%s: each result is the lookup of that object by the same viewer', async (_who, token) => {
    const bearer = await token()
    for (const path of SEARCHES) {
      const { items } = await walk(`/rdap/${path}`, bearer)
      expect({ path, found: items.length > 0 }).toEqual({ path, found: true })
      for (const item of items) {
        const lookup = (await get(`/rdap/${lookupPath(item)}`, bearer)).body as Json
        const { rdapConformance: _c, notices: _n, ...object } = lookup
        expect({ path, item: comparable(item) }).toEqual({ path, item: comparable(object) })
      }
    }
  })
})

describe('searches for authenticated viewers', () => {
  test('law enforcement finds contacts by name and sees them in full', async () => {
    const res = await get('/rdap/entities?fn=Erika*', await le())
    expect(res.status).toBe(200)
    expect(namesOf(res.body)).toEqual(['C1001-EXAMPLE'])
    expect(JSON.stringify(res.body)).toContain('Erika Mustermann')
    expect(res.headers['cache-control']).toBe('private, no-store')
    expect((res.body.notices as { title: string }[]).map((n) => n.title)).toContain(
      'Authorized access',
    )
  })

  test('reverse search: 401 anonymous, 403 without the grant, 200 and an audit row with it', async () => {
    const path = '/rdap/domains/reverse_search/entity?fn=Erika*&role=registrant'
    const anon = await get(path)
    expect(anon.status).toBe(401)
    expect(anon.headers['www-authenticate']).toBe('Bearer realm="rdap"')
    expect(anon.body.errorCode).toBe(401)
    const forbidden = await get(path, await ipc())
    expect(forbidden.status).toBe(403)
    expect(forbidden.body.errorCode).toBe(403)
    // asking for the public view is asking as the public
    expect((await get(`${path}&view=public`, await le())).status).toBe(403)

    const ok = await get(path, await le())
    expect(ok.status).toBe(200)
    expect(namesOf(ok.body)).toEqual(['privacy.example'])
    expect(ok.body.rdapConformance).toContain('reverse_search')
    expect(ok.body.reverse_search_properties_mapping).toEqual([
      { property: 'fn', propertyPath: "$.entities[*].vcardArray[1][?(@[0]=='fn')][3]" },
      { property: 'role', propertyPath: '$.entities[*].roles' },
    ])
    const rows = await listDisclosures(t.db.primary, { subject: 'officer-7' })
    const searchRow = rows.find((r) => r.objectClass === 'search')
    expect(searchRow).toMatchObject({
      objectHandle: 'domains/reverse_search/entity?fn=Erika*&role=registrant',
      fields: ['registrant.name'],
      resultCount: 1,
      audience: 'accredited:law-enforcement',
      purpose: 'law-enforcement',
      accreditationId: 'acc-le',
    })
    // and the domain itself, disclosed beyond the public view, has its own row
    expect(
      rows.some((r) => r.objectClass === 'domain' && r.objectHandle === 'privacy.example'),
    ).toBe(true)
  })

  test('a reverse search that finds nothing is recorded too', async () => {
    const before = (await listDisclosures(t.db.primary, { subject: 'officer-7' })).length
    const res = await get('/rdap/domains/reverse_search/entity?email=nobody*', await le())
    expect(res.status).toBe(404)
    const rows = await listDisclosures(t.db.primary, { subject: 'officer-7' })
    expect(rows.length).toBe(before + 1)
    expect(rows.find((r) => r.objectHandle.includes('nobody'))).toMatchObject({
      objectClass: 'search',
      resultCount: 0,
      fields: ['registrant.email', 'administrative.email', 'technical.email', 'billing.email'],
    })
  })

  test('reverse search by role: Erika is registrant and billing of privacy.example, not its technical contact', async () => {
    const token = await le()
    const tech = await get(
      '/rdap/domains/reverse_search/entity?handle=C1001-EXAMPLE&role=technical',
      token,
    )
    expect(tech.status).toBe(404)
    const any = await get('/rdap/domains/reverse_search/entity?handle=C1001-EXAMPLE', token)
    expect(namesOf(any.body)).toEqual(['privacy.example'])
    const email = await get('/rdap/domains/reverse_search/entity?email=*@mail.example', token)
    expect(namesOf(email.body)).toEqual(
      expect.arrayContaining(['privacy.example', 'consent.example']),
    )
  })

  test('a registrar finds by a contact only what it may see: its own domains', async () => {
    // privacy.example is sponsored by 1001
    const own = await get('/rdap/domains/reverse_search/entity?fn=Erika*', await registrar(1001))
    expect(namesOf(own.body)).toEqual(['privacy.example'])
    const other = await get('/rdap/domains/reverse_search/entity?fn=Erika*', await registrar(1002))
    expect(other.status).toBe(404)
    // and its searches show other registrars' domains as the public sees them
    const all = await get('/rdap/domains?name=*.example', await registrar(1002))
    const privacy = itemsOf(all.body).find((i) => i.ldhName === 'privacy.example')!
    expect(JSON.stringify(privacy)).not.toContain('Mustermann')
  })

  test('help lists the reverse searches the viewer may make', async () => {
    const anon = await get('/rdap/help')
    expect(anon.body).not.toHaveProperty('reverse_search_properties')
    expect(anon.body.rdapConformance).not.toContain('reverse_search')
    const res = await get('/rdap/help', await le())
    expect(res.body.rdapConformance).toContain('reverse_search')
    expect(
      (res.body.reverse_search_properties as { property: string }[]).map((p) => p.property),
    ).toEqual(['fn', 'handle', 'email', 'role'])
    expect(res.body.reverse_search_properties[0]).toEqual({
      searchableResourceType: 'domains',
      relatedResourceType: 'entity',
      property: 'fn',
      description: expect.any(String),
    })
    expect(res.headers['cache-control']).toBe('private, no-store')
  })
})

describe('paging and sorting (RFC 8977)', () => {
  const ALL = [
    'company.example',
    'consent.example',
    'privacy.example',
    'signed.example',
    'xn--bcher-kva.example',
  ]

  test('a cursor walks every page once, in name order, with the count', async () => {
    const { pages, items } = await walk('/rdap/domains?name=*.example&count=true')
    expect(items.map((i) => i.ldhName)).toEqual(ALL)
    expect(pages.map((p) => (p.paging_metadata as Json).pageNumber)).toEqual([1, 2, 3])
    for (const p of pages) expect(p.paging_metadata).toMatchObject({ totalCount: 5, pageSize: 2 })
    expect(pages.at(-1)!.paging_metadata).not.toHaveProperty('links')
    const first = pages[0]!.paging_metadata as { links: Json[] }
    expect(first.links[0]).toMatchObject({
      rel: 'next',
      type: 'application/rdap+json',
      title: 'Result Pagination Link',
    })
  })

  test('an authenticated viewer gets larger pages', async () => {
    const res = await get('/rdap/domains?name=*.example', await le())
    expect((res.body.paging_metadata as Json).pageSize).toBe(3)
    expect(itemsOf(res.body)).toHaveLength(3)
  })

  test('sorted by a date, descending, across pages', async () => {
    const { items, pages } = await walk('/rdap/domains?name=*.example&sort=registrationDate:d')
    const dates = items.map(
      (i) =>
        (i.events as { eventAction: string; eventDate: string }[]).find(
          (e) => e.eventAction === 'registration',
        )!.eventDate,
    )
    expect(dates).toEqual([...dates].sort().reverse())
    expect(new Set(items.map((i) => i.ldhName)).size).toBe(ALL.length)
    const meta = pages[0]!.sorting_metadata as {
      currentSort: string
      availableSorts: { property: string; default: boolean; jsonPath: string }[]
    }
    expect(meta.currentSort).toBe('registrationDate:d')
    expect(meta.availableSorts.map((s) => s.property)).toEqual([
      'name',
      'registrationDate',
      'expirationDate',
      'lastChangedDate',
    ])
    expect(meta.availableSorts[0]!.default).toBe(true)
  })

  test('domains of a name server sorted by expiration', async () => {
    const { items } = await walk('/rdap/domains?nsLdhName=ns2.nic.example&sort=expirationDate:d')
    const dates = items.map(
      (i) =>
        (i.events as { eventAction: string; eventDate: string }[]).find(
          (e) => e.eventAction === 'expiration',
        )!.eventDate,
    )
    expect(dates.length).toBeGreaterThan(3)
    expect(dates).toEqual([...dates].sort().reverse())
  })

  test('sorted by last change, where some never changed', async () => {
    const { items } = await walk('/rdap/domains?name=*.example&sort=lastChangedDate,name:d')
    expect(items.map((i) => i.ldhName).sort()).toEqual(ALL)
  })

  test('a cursor changed, moved to another search or to another viewer is refused', async () => {
    const first = await get('/rdap/domains?name=*.example')
    const href = (first.body.paging_metadata as { links: { href: string }[] }).links[0]!.href
    const cursor = new URL(href).searchParams.get('cursor')!
    const flipped = cursor.slice(0, 20) + (cursor[20] === 'A' ? 'B' : 'A') + cursor.slice(21)
    const tampered = await get(`/rdap/domains?name=*.example&cursor=${flipped}`)
    expect(tampered.status).toBe(400)
    expect(tampered.body.description[0]).toMatch(/cursor/)
    expect((await get(`/rdap/domains?name=*.exampl*&cursor=${cursor}`)).status).toBe(400)
    expect((await get(`/rdap/domains?name=*.example&cursor=${cursor}`, await le())).status).toBe(
      400,
    )
    expect((await get(`/rdap/domains?name=*.example&cursor=not-a-cursor`)).status).toBe(400)
    expect((await get(`/rdap/domains?name=*.example&cursor=${cursor}`)).status).toBe(200)
  })

  test('a count past the cap is left out, with the notice that says why', async () => {
    const capped = await startTestApp({ searchLimits: { countCap: 3 } })
    try {
      const res = await request(capped.app).get('/rdap/domains?name=*.example&count=true')
      expect(res.status).toBe(200)
      expect(res.body.paging_metadata).not.toHaveProperty('totalCount')
      expect((res.body.notices as { type?: string }[]).map((n) => n.type)).toContain(
        'result set truncated due to excessive load',
      )
      const few = await request(capped.app).get('/rdap/domains?name=*ivacy.example&count=true')
      expect(few.body.paging_metadata).toMatchObject({ totalCount: 1 })
      expect((few.body.notices as { type?: string }[]).map((n) => n.type)).not.toContain(
        'result set truncated due to excessive load',
      )
    } finally {
      await capped.close()
    }
  })

  test('lookups carry no paging or sorting identifiers', async () => {
    const res = await get('/rdap/domain/privacy.example')
    expect(res.body.rdapConformance).not.toContain('paging')
    expect(res.body.rdapConformance).not.toContain('sorting')
  })
})

describe('bad searches get clear errors', () => {
  test.each([
    ['/rdap/domains', 400],
    ['/rdap/domains?name=a.example&nsIp=192.0.2.1', 400],
    ['/rdap/domains?name=a*', 422],
    ['/rdap/domains?name=*', 422],
    ['/rdap/domains?name=ab*c*d*e*f', 422],
    ['/rdap/domains?name=ex_am*', 400],
    ['/rdap/domains?nsIp=999.1.1.1', 400],
    ['/rdap/nameservers?ip=01.2.3.4', 400],
    ['/rdap/domains?name=pri*&name=com*', 400],
    ['/rdap/domains?name=pri*&count=maybe', 400],
    ['/rdap/domains?name=pri*&sort=size', 400],
    ['/rdap/domains?name=pri*&sort=name:x', 400],
    ['/rdap/entities?handle=C1*&sort=name', 400],
    ['/rdap/domains/reverse_search/entity?fn=Erika*&role=owner', 400],
    ['/rdap/domains/reverse_search/entity?role=registrant', 400],
    ['/rdap/nameservers/reverse_search/entity?fn=x', 400],
  ])('%s answers %i', async (path, status) => {
    const res = await get(path)
    expect(res.status).toBe(status)
    expect(res.body.errorCode).toBe(status)
    expect(res.body.description[0]).toEqual(expect.any(String))
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/)
  })
})

// PGlite runs in this process and cannot cancel a statement (it has no timer signal): the pattern
// rules bound its searches; on the server a search has a statement timeout of its own.
;(ENGINE === 'pg' ? describe : describe.skip)(
  'a search the database cannot answer in time (pg)',
  () => {
    let slow: TestApp
    beforeAll(async () => {
      slow = await startTestApp({ searchTimeoutMs: 1 })
      await slow.db.primary.exec(`
      insert into domains (roid, ldh_name, registrar_iana_id, created_at, expires_at)
      select 'DX' || i || '-EXAMPLE', 'bulk-' || i || '.example', 1001, now(), now() + interval '1 year'
        from generate_series(1, 50000) i;
      analyze domains;`)
    })
    afterAll(async () => {
      await slow.close()
    })

    test('is cut by its timeout and answered 503, and lookups go on', async () => {
      const res = await request(slow.app).get('/rdap/domains?name=*ulk-1*&sort=lastChangedDate')
      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBeDefined()
      expect(res.body.description).toEqual([
        'The search took too long; narrow the pattern or try again later.',
      ])
      expect((await request(slow.app).get('/rdap/domain/bulk-7.example')).status).toBe(200)
    })
  },
)
