import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { SignJWT } from 'jose'
import request from 'supertest'
import { listDisclosures, verifyChain } from '../../src/audit/read.js'
import { addAccreditation, setAccreditationStatus } from '../../src/auth/accreditations.js'
import { buildIssuers } from '../../src/auth/issuers.js'
import { ENGINE } from '../helpers/db.js'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { expectRedactionsHold, PRIVACY_REGISTRANT_VALUES } from '../helpers/rdap.js'
import {
  makeKey,
  serveJwks,
  signToken,
  unsignedToken,
  writeJwksFile,
  type TestKey,
} from '../helpers/tokens.js'

const BY = { operator: 'test', host: 'localhost' }

const LA = 'https://accreditation.police.test'
const PORTAL = 'https://portal.nic.test'
const DEAD = 'https://dead-idp.test'
const IPC = 'https://rights-accreditation.test'
const AUD = 'https://rdap.nic.example/'

describe(`accredited access on ${ENGINE}`, () => {
  let t: TestApp
  let laKey: TestKey
  let portalKey: TestKey
  let strangerKey: TestKey
  let jwks: Awaited<ReturnType<typeof serveJwks>>

  beforeAll(async () => {
    laKey = await makeKey('la-1')
    portalKey = await makeKey('portal-1', 'RS256')
    strangerKey = await makeKey('la-1') // same kid, other key
    jwks = await serveJwks([portalKey])
    const file = await writeJwksFile([laKey])
    const issuers = await buildIssuers(
      [
        {
          iss: LA,
          audience: AUD,
          jwksFile: file,
          grants: ['accredited:law-enforcement', 'accredited:cybersecurity'],
        },
        {
          iss: PORTAL,
          audience: AUD,
          jwksUrl: jwks.url,
          algorithms: ['RS256'],
          grants: ['registrar'],
        },
        {
          iss: DEAD,
          audience: AUD,
          jwksUrl: 'http://127.0.0.1:9/jwks.json',
          grants: ['accredited:law-enforcement'],
        },
        {
          iss: IPC,
          audience: AUD,
          jwksFile: file,
          grants: ['accredited:ip-protection', 'accredited:consumer-protection'],
        },
      ],
      '/',
    )
    t = await startTestApp({ issuers })
    for (const a of [
      {
        id: 'acc-le',
        holder: 'Test Police Unit',
        issuer: LA,
        purposes: ['law-enforcement', 'cybersecurity'] as const,
      },
      {
        id: 'acc-ipc',
        holder: 'Brand Protection Ltd',
        issuer: IPC,
        purposes: ['ip-protection', 'consumer-protection'] as const,
      },
    ])
      await addAccreditation(t.db.primary, a, BY)
  })
  afterAll(async () => {
    await jwks.close()
    await t.close()
  })

  const le = (claims: Record<string, unknown> = {}, extra = {}) =>
    signToken(laKey, {
      iss: LA,
      aud: AUD,
      claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le', ...claims },
      ...extra,
    })
  const registrar = (id: number) =>
    signToken(portalKey, {
      iss: PORTAL,
      aud: AUD,
      sub: `registrar-${id}`,
      claims: { registrar_iana_id: id },
    })
  const get = (path: string, token?: string) => {
    const r = request(t.app).get(path)
    return token ? r.set('Authorization', `Bearer ${token}`) : r
  }
  const registrantOf = (body: {
    entities: Array<{ roles: string[]; vcardArray: [string, unknown[]] }>
  }) => body.entities.find((e) => e.roles[0] === 'registrant')!

  describe('views of privacy.example', () => {
    test('when anonymous, then the public view, with no audit row', async () => {
      const before = (await listDisclosures(t.db.primary)).length
      const res = await get('/rdap/domain/privacy.example').expect(200)
      expect(res.body.redacted.length).toBeGreaterThan(5)
      expect((await listDisclosures(t.db.primary)).length).toBe(before)
    })

    test('when law enforcement asks, then the full registrant, no redacted entries for it, a notice, and an audit row', async () => {
      const res = await get('/rdap/domain/privacy.example', await le()).expect(200)
      expect(registrantOf(res.body).vcardArray[1]).toEqual(
        expect.arrayContaining([
          ['fn', {}, 'text', 'Erika Mustermann'],
          ['email', {}, 'text', 'erika.mustermann@mail.example'],
          ['tel', { type: 'voice' }, 'uri', 'tel:+49.2214711;ext=12'],
        ]),
      )
      expect(res.body.redacted).toBeUndefined()
      expect(res.body.rdapConformance).not.toContain('redacted')
      expect(res.body.notices.at(-1)).toMatchObject({
        title: 'Authorized access',
        description: [expect.stringContaining('accredited:law-enforcement')],
      })
      expect(res.headers['cache-control']).toBe('private, no-store')
      expect(res.headers.vary).toContain('Authorization')
      const rows = await listDisclosures(t.db.primary, { object: 'privacy.example' })
      const row = rows.find((r) => r.requestId === res.headers['x-request-id'])!
      expect(row).toMatchObject({
        issuer: LA,
        subject: 'analyst-7',
        accreditationId: 'acc-le',
        audience: 'accredited:law-enforcement',
        purpose: 'law-enforcement',
        objectClass: 'domain',
        policyName: 'calzone',
        policyVersion: 1,
      })
      expect(row.fields).toEqual(
        expect.arrayContaining([
          'registrant.name',
          'registrant.email',
          'registrant.street',
          'registrant.phone',
        ]),
      )
      expect(row.fields).not.toContain('registrant.countryCode') // public anyway
      const stored = JSON.stringify(await t.db.primary.query('select * from disclosures'))
      for (const value of PRIVACY_REGISTRANT_VALUES.filter((v) => v !== 'C1001-EXAMPLE'))
        expect(stored).not.toContain(value)
    })

    test('when a token allows several purposes, then the request must declare one it holds', async () => {
      const token = await le({ rdap_allowed_purposes: ['law-enforcement', 'cybersecurity'] })
      expect(
        (await get('/rdap/domain/privacy.example', token).expect(403)).body.description[0],
      ).toMatch(/Declare a purpose/)
      await get('/rdap/domain/privacy.example?purpose=consumer-protection', token).expect(403)
      const res = await get('/rdap/domain/privacy.example?purpose=cybersecurity', token).expect(200)
      expect(res.body.notices.at(-1).description[0]).toContain('accredited:cybersecurity')
      const rows = await listDisclosures(t.db.primary, { object: 'privacy.example' })
      expect(rows.find((r) => r.requestId === res.headers['x-request-id'])?.purpose).toBe(
        'cybersecurity',
      )
    })

    test.each(['ip-protection', 'consumer-protection'])(
      'when %s asks, then name, address and e-mail but not the phone (calzone)',
      async (purpose) => {
        const token = await signToken(laKey, {
          iss: IPC,
          aud: AUD,
          claims: { rdap_allowed_purposes: [purpose], accreditation_id: 'acc-ipc' },
        })
        const res = await get('/rdap/domain/privacy.example', token).expect(200)
        const card = registrantOf(res.body).vcardArray[1]
        expect(card).toEqual(
          expect.arrayContaining([
            ['fn', {}, 'text', 'Erika Mustermann'],
            ['email', {}, 'text', 'erika.mustermann@mail.example'],
          ]),
        )
        expect(JSON.stringify(card)).not.toContain('2214711')
        const names = res.body.redacted.map((r: { name: { type?: string } }) => r.name.type)
        expect(names).toEqual(expect.arrayContaining(['Registrant Phone', 'Registrant Fax']))
        expect(names).not.toContain('Registrant Name')
        expectRedactionsHold(res.body)
        const row = (await listDisclosures(t.db.primary)).find(
          (r) => r.requestId === res.headers['x-request-id'],
        )!
        expect(row.audience).toBe(`accredited:${purpose}`)
        expect(row.fields).toContain('registrant.name')
        expect(row.fields).not.toContain('registrant.phone')
      },
    )

    test("when a registrar asks about its own domain, then the registrar view; another registrar's domain, the public view", async () => {
      const token = await registrar(1001)
      const own = await get('/rdap/domain/privacy.example', token).expect(200)
      expect(registrantOf(own.body).vcardArray[1]).toEqual(
        expect.arrayContaining([['fn', {}, 'text', 'Erika Mustermann']]),
      )
      expect(own.body.notices.at(-1).description[0]).toContain('registrar audience')
      const before = (await listDisclosures(t.db.primary)).length
      const other = await get('/rdap/domain/company.example', token).expect(200)
      expect(registrantOf(other.body).vcardArray[1]).toEqual(
        expect.arrayContaining([['fn', {}, 'text', '']]),
      )
      expectRedactionsHold(other.body)
      expect((await listDisclosures(t.db.primary)).length).toBe(before)
    })

    test('when a registrar asks for view=public, then it sees what the public sees, and nothing is audited', async () => {
      const before = (await listDisclosures(t.db.primary)).length
      const res = await get(
        '/rdap/domain/privacy.example?view=public',
        await registrar(1001),
      ).expect(200)
      const anon = await get('/rdap/domain/privacy.example?view=public').expect(200)
      expect(res.body.redacted).toEqual(anon.body.redacted)
      expect(registrantOf(res.body)).toEqual(registrantOf(anon.body))
      expect(res.body.notices.map((n: { title: string }) => n.title)).not.toContain(
        'Authorized access',
      )
      expect((await listDisclosures(t.db.primary)).length).toBe(before)
    })

    test('when a registrar looks up its own contact, then it sees it; other registrars see the public view', async () => {
      const own = await get('/rdap/entity/C1001-EXAMPLE', await registrar(1001)).expect(200)
      expect(own.text).toContain('Erika Mustermann')
      const other = await get('/rdap/entity/C1001-EXAMPLE', await registrar(1002)).expect(200)
      expect(other.text).not.toContain('Erika')
    })
  })

  describe('accreditation status', () => {
    test('when the accreditation is suspended or revoked, then the next request is refused even with an unexpired token', async () => {
      const token = await le()
      await get('/rdap/domain/privacy.example', token).expect(200)
      await setAccreditationStatus(t.db.primary, 'acc-le', 'suspend', BY)
      expect(
        (await get('/rdap/domain/privacy.example', token).expect(403)).body.description[0],
      ).toMatch(/suspended/)
      await setAccreditationStatus(t.db.primary, 'acc-le', 'activate', BY)
      await get('/rdap/domain/privacy.example', token).expect(200)
      await addAccreditation(
        t.db.primary,
        {
          id: 'acc-tmp',
          holder: 'Temp',
          issuer: LA,
          purposes: ['law-enforcement'],
        },
        BY,
      )
      const tmp = await le({ accreditation_id: 'acc-tmp' })
      await get('/rdap/domain/privacy.example', tmp).expect(200)
      await setAccreditationStatus(t.db.primary, 'acc-tmp', 'revoke', BY)
      expect(
        (await get('/rdap/domain/privacy.example', tmp).expect(403)).body.description[0],
      ).toMatch(/revoked/)
    })

    test('when the accreditation does not hold the purpose, or is unknown, or expired, then 403', async () => {
      await addAccreditation(
        t.db.primary,
        {
          id: 'acc-cyber',
          holder: 'CERT',
          issuer: LA,
          purposes: ['cybersecurity'],
        },
        BY,
      )
      await get('/rdap/domain/privacy.example', await le({ accreditation_id: 'acc-cyber' })).expect(
        403,
      )
      await get('/rdap/domain/privacy.example', await le({ accreditation_id: 'acc-nope' })).expect(
        403,
      )
      await addAccreditation(
        t.db.primary,
        {
          id: 'acc-old',
          holder: 'Old',
          issuer: LA,
          purposes: ['law-enforcement'],
          validUntil: new Date('2020-01-01'),
        },
        BY,
      )
      await get('/rdap/domain/privacy.example', await le({ accreditation_id: 'acc-old' })).expect(
        403,
      )
    })

    test('when a token asks for more than its issuer may grant, then 403', async () => {
      await get(
        '/rdap/domain/privacy.example',
        await le({ rdap_allowed_purposes: ['ip-protection'] }),
      ).expect(403)
      const asRegistrar = await signToken(laKey, {
        iss: LA,
        aud: AUD,
        claims: { registrar_iana_id: 1001 },
      })
      await get('/rdap/domain/privacy.example', asRegistrar).expect(403)
    })
  })

  describe('bad tokens: 401 with WWW-Authenticate, never the public view', () => {
    test('when registrar_iana_id is not a JSON integer ("1002", [1002], 1002.5), then 401', async () => {
      for (const id of ['1002', [1002], 1002.5]) {
        const token = await signToken(portalKey, {
          iss: PORTAL,
          aud: AUD,
          sub: 'registrar-x',
          claims: { registrar_iana_id: id },
        })
        const res = await get('/rdap/domain/company.example', token).expect(401)
        expect(res.body.description[0]).toBe('The token claims are not valid.')
      }
      await get('/rdap/domain/company.example', await registrar(1002)).expect(200)
    })

    const cases: Array<[string, () => Promise<string>]> = [
      ['malformed', async () => 'not.a.jwt'],
      ['garbage', async () => 'abc'],
      [
        'expired',
        () =>
          le(
            {},
            {
              expiresIn: Math.floor(Date.now() / 1000) - 120,
              issuedAt: Math.floor(Date.now() / 1000) - 600,
            },
          ),
      ],
      ['not yet valid', () => le({}, { notBefore: '10m' })],
      [
        'from an untrusted issuer',
        () =>
          signToken(laKey, {
            iss: 'https://evil.test',
            aud: AUD,
            claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le' },
          }),
      ],
      [
        'for another audience',
        () =>
          signToken(laKey, {
            iss: LA,
            aud: 'https://other-rdap.test/',
            claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le' },
          }),
      ],
      [
        'signed with the wrong key',
        () =>
          signToken(strangerKey, {
            iss: LA,
            aud: AUD,
            claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le' },
          }),
      ],
      [
        'with alg none',
        async () =>
          unsignedToken({
            iss: LA,
            aud: AUD,
            sub: 'x',
            iat: Math.floor(Date.now() / 1000),
            exp: Math.floor(Date.now() / 1000) + 600,
            rdap_allowed_purposes: ['law-enforcement'],
            accreditation_id: 'acc-le',
          }),
      ],
      [
        'HMAC-signed with the public key',
        async () =>
          new SignJWT({ rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le' })
            .setProtectedHeader({ alg: 'HS256', kid: 'la-1' })
            .setIssuer(LA)
            .setAudience(AUD)
            .setSubject('x')
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(new TextEncoder().encode(JSON.stringify(laKey.publicJwk))),
      ],
      ['oversized', () => le({ padding: 'x'.repeat(9000) })],
      ['with an unknown purpose', () => le({ rdap_allowed_purposes: ['curiosity'] })],
      [
        'without sub',
        () =>
          new SignJWT({ rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le' })
            .setProtectedHeader({ alg: 'ES256', kid: 'la-1' })
            .setIssuer(LA)
            .setAudience(AUD)
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(laKey.privateKey),
      ],
    ]
    test.each(cases)('when the token is %s', async (_name, make) => {
      const res = await get('/rdap/domain/privacy.example', await make()).expect(401)
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="rdap", error="invalid_token"/)
      expect(res.body).toMatchObject({ errorCode: 401, title: 'Unauthorized' })
      expect(res.text).not.toContain('Erika')
    })

    // the object is read while the token is checked: the token's answer must still come first
    test.each([
      '/rdap/domain/no-such-name.example',
      '/rdap/nameserver/ns1.privacy.example?view=public',
      '/rdap/entity/9999',
      '/rdap/help',
      '/rdap/domains?name=x*',
    ])('when a bad token asks for %s, then 401', async (path) => {
      const res = await get(path, 'not.a.jwt').expect(401)
      expect(res.headers['www-authenticate']).toContain('invalid_token')
    })

    test('when a bad token comes with a malformed name, then an error answer and the server serves on', async () => {
      for (const path of ['/rdap/domain/bad..name', '/rdap/domain/bad..name?view=public']) {
        const res = await get(path, 'not.a.jwt')
        expect([400, 401]).toContain(res.status)
      }
      await new Promise((resolve) => setImmediate(resolve)) // a stray rejection would surface here
      await get('/rdap/domain/privacy.example').expect(200)
    })

    test('when the scheme is not Bearer, then 401', async () => {
      const res = await request(t.app)
        .get('/rdap/domain/privacy.example')
        .set('Authorization', 'Basic dXNlcjpwdw==')
        .expect(401)
      expect(res.headers['www-authenticate']).toContain('invalid_token')
    })
  })

  test("when the issuer's JWKS URL is unreachable, then its tokens fail within a bounded time and anonymous traffic is unaffected", async () => {
    const token = await signToken(laKey, {
      iss: DEAD,
      aud: AUD,
      claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le' },
    })
    const started = Date.now()
    const [authed, anon] = await Promise.all([
      get('/rdap/domain/privacy.example', token),
      get('/rdap/domain/privacy.example'),
    ])
    expect([401, 503]).toContain(authed.status)
    expect(authed.text).not.toContain('Erika')
    expect(anon.status).toBe(200)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  test('when the JWKS is served on loopback, then keys are fetched from it (registrar portal)', async () => {
    await get('/rdap/domain/privacy.example', await registrar(1001)).expect(200)
  })

  describe('the audit log', () => {
    test('holds a row per non-public disclosure, chained, and verify detects a changed or deleted row', async () => {
      const rows = await listDisclosures(t.db.primary)
      expect(rows.length).toBeGreaterThanOrEqual(5)
      expect(rows.every((r) => r.audience !== 'public')).toBe(true)
      expect(await verifyChain(t.db.primary)).toEqual({ rows: rows.length, problems: [] })
      await expect(
        t.db.primary.query("update disclosures set subject = 'someone-else' where id = $1", [
          rows[1]!.id,
        ]),
      ).rejects.toThrow(/append-only/)
      await t.db.primary.exec('alter table disclosures disable trigger user')
      await t.db.primary.query("update disclosures set subject = 'someone-else' where id = $1", [
        rows[1]!.id,
      ])
      await t.db.primary.query('delete from disclosures where id = $1', [rows[3]!.id])
      await t.db.primary.exec('alter table disclosures enable trigger user')
      const result = await verifyChain(t.db.primary)
      expect(result.problems).toEqual([
        `row ${rows[1]!.id}: content does not match its hash (changed)`,
        `row ${rows[4]!.id}: ids jump from ${rows[2]!.id} to ${rows[4]!.id} (row ${rows[3]!.id} is missing)`,
        `row ${rows[4]!.id}: does not follow the row before it (a row was deleted or reordered)`,
      ])
    })
  })
})

describe(`when the audit row cannot be written on ${ENGINE}`, () => {
  test('then nothing is disclosed: 503', async () => {
    const key = await makeKey('k1')
    const file = await writeJwksFile([key])
    const issuers = await buildIssuers(
      [{ iss: LA, audience: AUD, jwksFile: file, grants: ['accredited:law-enforcement'] }],
      '/',
    )
    const t = await startTestApp({
      issuers,
      audit: () => ({
        append: () => Promise.reject(new Error('disk full')),
        failingSince: () => new Date(),
      }),
    })
    try {
      await addAccreditation(
        t.db.primary,
        {
          id: 'acc-le',
          holder: 'Police',
          issuer: LA,
          purposes: ['law-enforcement'],
        },
        BY,
      )
      const token = await signToken(key, {
        iss: LA,
        aud: AUD,
        claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le' },
      })
      const res = await request(t.app)
        .get('/rdap/domain/privacy.example')
        .set('Authorization', `Bearer ${token}`)
        .expect(503)
      expect(res.text).not.toContain('Erika')
      expect(res.body.errorCode).toBe(503)
      await request(t.app).get('/rdap/domain/privacy.example').expect(200) // the public view needs no audit row
    } finally {
      await t.close()
    }
  })
})
