import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import request from 'supertest'
import { ENGINE } from '../helpers/db.js'
import { searchParts, startTestApp, TEST_SITE, type TestApp } from '../helpers/app.js'
import type { Db } from '../../src/storage/db.js'
import { expectRedactionsHold, PRIVACY_REGISTRANT_VALUES } from '../helpers/rdap.js'

const CONFORMANCE = [
  'rdap_level_0',
  'icann_rdap_response_profile_1',
  'icann_rdap_technical_implementation_guide_1',
]

describe(`RDAP over HTTP on ${ENGINE}`, () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp()
  })
  afterAll(async () => {
    await t.close()
  })

  const get = (path: string) => request(t.app).get(path)

  describe('GET /rdap/domain/:name', () => {
    test('when anonymous, then the public view is served with the RDAP headers', async () => {
      const res = await get('/rdap/domain/privacy.example').expect(200)
      expect(res.headers['content-type']).toMatch(/^application\/rdap\+json/)
      expect(res.headers['access-control-allow-origin']).toBe('*')
      expect(res.headers.etag).toBeUndefined()
      expect(res.body).toMatchObject({
        objectClassName: 'domain',
        ldhName: 'privacy.example',
        handle: 'D1001-EXAMPLE',
        port43: 'whois.nic.example',
      })
      expect(res.body.rdapConformance).toEqual([...CONFORMANCE, 'redacted'])
    })

    test('when anonymous, then no personal value of the registrant appears anywhere in the body', async () => {
      const res = await get('/rdap/domain/privacy.example').expect(200)
      for (const value of PRIVACY_REGISTRANT_VALUES) expect(res.text).not.toContain(value)
    })

    test('then every redacted JSONPath holds against the returned document', async () => {
      for (const name of [
        'privacy.example',
        'company.example',
        'consent.example',
        'xn--bcher-kva.example',
        'signed.example',
      ]) {
        expectRedactionsHold((await get(`/rdap/domain/${name}`).expect(200)).body)
      }
    })

    test('then the registrant is emptied, not removed, as the 2024 response profile requires', async () => {
      const { body } = await get('/rdap/domain/privacy.example')
      const registrant = body.entities.find((e: { roles: string[] }) => e.roles[0] === 'registrant')
      expect(registrant.handle).toBeUndefined()
      expect(registrant.vcardArray[1]).toEqual([
        ['version', {}, 'text', '4.0'],
        ['fn', {}, 'text', ''],
        ['adr', { cc: 'DE' }, 'text', ['', '', '', '', 'NW', '', '']],
        ['email', {}, 'text', expect.stringMatching(/^[0-9a-f]{32}@anonymized\.nic\.example$/)],
      ])
      const names = body.redacted.map(
        (r: { name: { type?: string; description?: string } }) => r.name.type ?? r.name.description,
      )
      expect(names.slice(0, 9)).toEqual([
        'Registry Registrant ID',
        'Registrant Name',
        'Registrant Street',
        'Registrant City',
        'Registrant Postal Code',
        'Registrant Phone',
        'Registrant Phone Ext',
        'Registrant Fax',
        'Registrant Email',
      ])
    })

    test('then events, notices, links, status, nameservers and secureDNS follow RFC 9083 and the ICANN profile', async () => {
      const { body } = await get('/rdap/domain/privacy.example')
      expect(body.events.map((e: { eventAction: string }) => e.eventAction)).toEqual([
        'registration',
        'expiration',
        'last changed',
        'last update of RDAP database',
      ])
      expect(body.events[0].eventDate).toBe('2019-04-01T10:00:00Z')
      expect(body.notices.map((n: { title: string }) => n.title)).toEqual([
        'Terms of Use',
        'Status Codes',
        'RDDS Inaccuracy Complaint Form',
      ])
      expect(body.notices[1]).toEqual({
        title: 'Status Codes',
        description: [
          'For more information on domain status codes, please visit https://icann.org/epp',
        ],
        links: [
          {
            value: 'https://rdap.nic.example/rdap/domain/privacy.example',
            rel: 'glossary',
            href: 'https://icann.org/epp',
            type: 'text/html',
          },
        ],
      })
      expect(body.notices[2].links[0]).toMatchObject({
        rel: 'help',
        href: 'https://icann.org/wicf',
      })
      expect(body.links).toEqual([
        {
          value: 'https://rdap.nic.example/rdap/domain/privacy.example',
          rel: 'self',
          href: 'https://rdap.nic.example/rdap/domain/privacy.example',
          type: 'application/rdap+json',
        },
        {
          value: 'https://rdap.nic.example/rdap/domain/privacy.example',
          rel: 'related',
          href: 'https://rdap.registrar-one.example/domain/privacy.example',
          type: 'application/rdap+json',
        },
      ])
      expect(body.status).toEqual(['client transfer prohibited'])
      expect(body.nameservers).toEqual([
        { objectClassName: 'nameserver', ldhName: 'ns1.nic.example' },
        { objectClassName: 'nameserver', ldhName: 'ns2.nic.example' },
      ])
      expect(body.secureDNS).toEqual({ delegationSigned: false })
      const registrar = body.entities[0]
      expect(registrar).toMatchObject({
        handle: '1001',
        roles: ['registrar'],
        publicIds: [{ type: 'IANA Registrar ID', identifier: '1001' }],
      })
      expect(registrar.links[0]).toMatchObject({
        rel: 'about',
        href: 'https://rdap.registrar-one.example/',
      })
      expect(registrar.entities[0].vcardArray[1]).toEqual(
        expect.arrayContaining([
          ['tel', { type: 'voice' }, 'uri', 'tel:+1.5555550100'],
          ['email', {}, 'text', 'abuse@registrar-one.example'],
        ]),
      )
    })

    test.each([
      ['XN--BCHER-KVA.EXAMPLE'],
      ['bücher.example'],
      ['B%C3%BCcher.Example.'],
      ['xn--bcher-kva.example.'],
    ])('when asked as %s, then the IDN is found with its unicodeName', async (name) => {
      const { body } = await get(
        `/rdap/domain/${name.includes('ü') ? encodeURIComponent(name) : name}`,
      ).expect(200)
      expect(body).toMatchObject({
        ldhName: 'xn--bcher-kva.example',
        unicodeName: 'bücher.example',
      })
    })

    test('when the answer holds non-ASCII text, then Content-Length counts its bytes', async () => {
      const res = await get('/rdap/domain/xn--bcher-kva.example').buffer(true).expect(200)
      expect(res.text).toContain('bücher.example')
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text))
      expect(Number(res.headers['content-length'])).toBeGreaterThan(res.text.length)
    })

    test('when If-None-Match is *, then 304 without a body; another entity tag gets the answer', async () => {
      const res = await get('/rdap/domain/privacy.example').set('If-None-Match', '*').expect(304)
      expect(res.text ?? '').toBe('')
      expect(res.headers['cache-control']).toBe('public, max-age=60')
      await get('/rdap/domain/privacy.example').set('If-None-Match', '"x"').expect(200)
      await get('/rdap/domain/nosuch.example').set('If-None-Match', '*').expect(404)
    })

    test('when the domain is signed, then secureDNS carries its DS data', async () => {
      const { body } = await get('/rdap/domain/signed.example').expect(200)
      expect(body.secureDNS).toEqual({
        delegationSigned: true,
        dsData: [
          {
            keyTag: 30909,
            algorithm: 13,
            digestType: 2,
            digest: expect.stringMatching(/^[0-9A-F]{64}$/),
          },
        ],
      })
    })

    test('when the registrant consented to publish name and e-mail, then the public sees exactly those', async () => {
      const { body } = await get('/rdap/domain/consent.example').expect(200)
      const registrant = body.entities.find((e: { roles: string[] }) => e.roles[0] === 'registrant')
      expect(registrant.vcardArray[1]).toEqual(
        expect.arrayContaining([
          ['fn', {}, 'text', 'Jan Novák'],
          ['email', {}, 'text', 'jan.novak@mail.example'],
        ]),
      )
      expect(JSON.stringify(body)).not.toContain('221234567')
      const names = body.redacted.map((r: { name: { type?: string } }) => r.name.type)
      expect(names).not.toContain('Registrant Name')
      expect(names).not.toContain('Registrant Email')
      expect(names).toContain('Registrant Phone')
    })

    test('when the domain does not exist, then 404 with an RDAP error body', async () => {
      const res = await get('/rdap/domain/nosuch.example').expect(404)
      expect(res.headers['content-type']).toMatch(/^application\/rdap\+json/)
      expect(res.headers['access-control-allow-origin']).toBe('*')
      expect(res.body).toMatchObject({
        rdapConformance: CONFORMANCE,
        errorCode: 404,
        title: 'Not Found',
        description: [expect.any(String)],
      })
      expect(res.body.notices[0].links[0].rel).toBe('terms-of-service')
    })

    test('when HEAD is used, then the status and headers are those of GET, without a body', async () => {
      for (const [path, status] of [
        ['/rdap/domain/privacy.example', 200],
        ['/rdap/domain/nosuch.example', 404],
        ['/rdap/domain/a..b', 400],
      ] as const) {
        const res = await request(t.app).head(path).expect(status)
        expect(res.headers['content-type']).toMatch(/^application\/rdap\+json/)
        expect(res.text ?? '').toBe('')
      }
    })

    test('when the client accepts only application/json, then it still gets application/rdap+json', async () => {
      const res = await get('/rdap/domain/privacy.example')
        .set('Accept', 'application/json')
        .expect(200)
      expect(res.headers['content-type']).toMatch(/^application\/rdap\+json/)
    })

    test('when unknown query parameters are sent, then they are ignored', async () => {
      const res = await get('/rdap/domain/privacy.example?cachebust=123&foo=bar').expect(200)
      expect(res.body.ldhName).toBe('privacy.example')
    })
  })

  describe('malformed input', () => {
    test.each([
      ['/rdap/domain/a..example'],
      ['/rdap/domain/.example'],
      [`/rdap/domain/${'a'.repeat(64)}.example`],
      [`/rdap/domain/${'abcdefghij.'.repeat(24)}example`],
      ['/rdap/domain/xn--zz.example'],
      ['/rdap/domain/ex%00ample.com'],
      ['/rdap/domain/ex%0Aample.com'],
      ['/rdap/domain/%ZZ%YY'],
      ['/rdap/domain/%E0%A4%A'],
      [`/rdap/domain/${'x'.repeat(10240)}`],
      ['/rdap/domain/a%2Fb.example'],
      ['/rdap/domain/a/b'],
      ['/rdap/domain/'],
      ['/rdap/domain'],
      ['/rdap/nameserver/-bad-.example'],
      ['/rdap/entity/%3Cscript%3E'],
      ['/rdap/frobnicate/x'],
      ['/rdap/'],
      ['/rdap/domain/privacy.example?view=full'],
    ])('when asked %s, then 400 with an RDAP error body', async (path) => {
      const res = await get(path).expect(400)
      expect(res.headers['content-type']).toMatch(/^application\/rdap\+json/)
      expect(res.body).toMatchObject({
        errorCode: 400,
        title: 'Bad Request',
        rdapConformance: CONFORMANCE,
      })
      expect(res.text).not.toMatch(/at .*\.ts|Error:|stack/)
    })

    test.each([['/rdap/ip/192.0.2.1'], ['/rdap/autnum/64496']])(
      'when asked %s, which a domain registry does not offer, then 501',
      async (path) => {
        const res = await get(path).expect(501)
        expect(res.body).toMatchObject({ errorCode: 501, title: 'Not Implemented' })
      },
    )

    test('when a method other than GET or HEAD is used, then 405 with Allow', async () => {
      const res = await request(t.app).post('/rdap/domain/privacy.example').send('x').expect(405)
      expect(res.headers.allow).toBe('GET, HEAD, OPTIONS')
      expect(res.body.errorCode).toBe(405)
    })

    test('when a browser sends a preflight, then 204 allows the Authorization header', async () => {
      const res = await request(t.app).options('/rdap/domain/privacy.example').expect(204)
      expect(res.headers['access-control-allow-origin']).toBe('*')
      expect(res.headers['access-control-allow-headers']).toContain('Authorization')
    })

    test('when a path outside /rdap is asked, then 404 with an RDAP error body', async () => {
      const res = await get('/whatever').expect(404)
      expect(res.body.errorCode).toBe(404)
    })
  })

  describe('other lookups', () => {
    test('GET /rdap/nameserver/:name answers a host of this registry', async () => {
      const { body } = await get('/rdap/nameserver/NS1.NIC.EXAMPLE.').expect(200)
      expect(body).toMatchObject({
        objectClassName: 'nameserver',
        handle: 'H1-EXAMPLE',
        ldhName: 'ns1.nic.example',
        status: ['associated'],
        ipAddresses: { v4: ['193.0.9.53'], v6: ['2001:67c:2e8:11::c100:1353'] },
      })
      expect(body.entities[0]).toMatchObject({ roles: ['registrar'], handle: '1001' })
      expect(body.events.at(-1).eventAction).toBe('last update of RDAP database')
      await get('/rdap/nameserver/ns9.nic.example').expect(404)
    })

    test('GET /rdap/entity/:ianaId answers the registrar, also by handle', async () => {
      const { body } = await get('/rdap/entity/1002').expect(200)
      expect(body).toMatchObject({
        objectClassName: 'entity',
        handle: '1002',
        roles: ['registrar'],
        publicIds: [{ type: 'IANA Registrar ID', identifier: '1002' }],
      })
      expect(body.vcardArray[1]).toEqual(
        expect.arrayContaining([
          ['fn', {}, 'text', 'Nordic Names AB'],
          ['adr', { cc: 'SE' }, 'text', ['', '', 'Sveavägen 1', 'Stockholm', 'AB', '11157', '']],
        ]),
      )
      expect(body.redacted).toBeUndefined()
      await get('/rdap/entity/999999').expect(404)
    })

    test('GET /rdap/entity/:roid answers a contact with what every role may show', async () => {
      const res = await get('/rdap/entity/c1001-example').expect(200)
      expect(res.body).toMatchObject({ objectClassName: 'entity', handle: 'C1001-EXAMPLE' })
      for (const value of PRIVACY_REGISTRANT_VALUES.filter((v) => v !== 'C1001-EXAMPLE'))
        expect(res.text).not.toContain(value)
      expectRedactionsHold(res.body)
      await get('/rdap/entity/C9999-EXAMPLE').expect(404)
    })

    test('GET /rdap/help describes the service and the policy', async () => {
      const { body } = await get('/rdap/help').expect(200)
      expect(Object.keys(body).sort()).toEqual(['notices', 'rdapConformance'])
      expect(JSON.stringify(body.notices)).toContain('calzone')
    })
  })

  describe('health', () => {
    test('GET /healthz and /readyz answer while the database is up', async () => {
      await get('/healthz').expect(200, { status: 'ok' })
      await get('/readyz').expect(200, { status: 'ready', database: 'up', audit: 'up' })
    })
  })
})

describe('without a configured base URL, links are built from the Host header', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ site: { termsUrl: TEST_SITE.termsUrl } })
  })
  afterAll(async () => {
    await t.close()
  })
  const get = (path: string) => request(t.app).get(path)

  test.each([['[:::]'], ['[1:2:3:4:5:6:7:8:9]'], ['bad host'], ['[::1']])(
    'when the Host header is %j, which is no URL host, then the answer links to localhost',
    async (host) => {
      const res = await get('/rdap/domain/privacy.example').set('Host', host).expect(200)
      expect(res.headers['content-type']).toMatch(/^application\/rdap\+json/)
      const self = res.body.links.find((l: { rel: string }) => l.rel === 'self')
      expect(self).toMatchObject({
        value: 'http://localhost/rdap/domain/privacy.example',
        href: 'http://localhost/rdap/domain/privacy.example',
      })
    },
  )

  test('when the request target is no URL path at all, then an RDAP error body, not a stack trace', async () => {
    // a backslash after the first slash: URL parsing reads '//' with no host after it
    const res = await get('/\\').expect(404)
    expect(res.headers['content-type']).toMatch(/^application\/rdap\+json/)
    expect(res.body.notices[0].links[0].value).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(res.text).not.toMatch(/at .*\.ts|Error:|stack/)
  })

  test('when the Host header has upper case and a default port, then links use it as URL writes it', async () => {
    const res = await get('/rdap/domain/privacy.example?x=1')
      .set('Host', 'RDAP.Example:80')
      .expect(200)
    const self = res.body.links.find((l: { rel: string }) => l.rel === 'self')
    // the request URL is normalized; the base URL is the host as given
    expect(self.value).toBe('http://rdap.example/rdap/domain/privacy.example?x=1')
    expect(self.href).toBe('http://RDAP.Example:80/rdap/domain/privacy.example')
  })
})

describe('when something unexpected breaks', () => {
  test('then a generic 500, with the details in the log only', async () => {
    const { Writable } = await import('node:stream')
    const { createLogger } = await import('../../src/log.js')
    const { createApp } = await import('../../src/http/app.js')
    const { loadTestPolicy } = await import('../helpers/app.js')
    let logged = ''
    const log = createLogger(
      { LOG_LEVEL: 'error' },
      new Writable({
        write(c, _e, done) {
          logged += c
          done()
        },
      }),
    )
    // a row that does not parse: corrupt data or a bug, not an outage
    const rows = [
      { doc: { ldh_name: 'privacy.example', roid: 42, statuses: 'secret-internal-value' } },
    ]
    const reader = { query: async <Row>() => rows as Row[], exec: async () => undefined }
    const primary: Db = {
      ...reader,
      engine: 'pglite',
      transaction: (fn) => fn(reader),
      close: async () => undefined,
      listen: async () => async () => undefined,
    }
    const app = createApp({
      reader,
      primary,
      ...searchParts(primary),
      policy: await loadTestPolicy(),
      audit: { append: async () => undefined, failingSince: () => undefined },
      log,
      verifyBearer: async () => ({ kind: 'anonymous' }),
      site: TEST_SITE,
    })
    const res = await request(app).get('/rdap/domain/privacy.example').expect(500)
    expect(res.body).toMatchObject({
      errorCode: 500,
      title: 'Internal Server Error',
      description: ['An error was encountered.'],
    })
    expect(res.headers['content-type']).toMatch(/^application\/rdap\+json/)
    expect(res.text).not.toMatch(/ZodError|secret-internal-value|at .*\.ts/)
    expect(logged).toContain('unexpected error')
    expect(logged).toContain('ZodError')
  })
})
