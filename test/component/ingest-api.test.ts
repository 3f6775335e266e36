import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { Writable } from 'node:stream'
import pino from 'pino'
import request from 'supertest'
import { buildIssuers } from '../../src/auth/issuers.js'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { makeKey, signToken, writeJwksFile } from '../helpers/tokens.js'

// The ingest API on the demo registry: who may write (the registry-operator audience, from an
// issuer that grants it), ordering by the object's own update time, and a change seen at once.

const REGISTRY = 'https://registry.test'
const POLICE = 'https://police.test'
let t: TestApp
let logged = ''
let operator: string
const denied: Record<string, string> = {}

const domain = (over: Record<string, unknown> = {}) => ({
  name: 'fresh.example',
  roid: 'D9000-EXAMPLE',
  status: ['ok'],
  registrant: 'C1001-EXAMPLE',
  contact: [{ type: 'tech', id: 'C2001-EXAMPLE' }],
  ns: { hostObj: ['ns1.nic.example'] },
  clID: '1001',
  crDate: '2026-11-01T00:00:00Z',
  exDate: '2027-11-01T00:00:00Z',
  upDate: '2026-12-01T00:00:00Z',
  ...over,
})

const put = (path: string, body: unknown, token = operator) =>
  request(t.app)
    .put(path)
    .set('Authorization', `Bearer ${token}`)
    .send(body as object)

beforeAll(async () => {
  const registryKey = await makeKey('reg-1')
  const policeKey = await makeKey('police-1')
  const issuers = await buildIssuers(
    [
      {
        iss: REGISTRY,
        audience: 'rdap',
        jwksFile: await writeJwksFile([registryKey]),
        grants: ['registrar', 'registry-operator'],
      },
      {
        iss: POLICE,
        audience: 'rdap',
        jwksFile: await writeJwksFile([policeKey]),
        grants: ['accredited:law-enforcement'],
      },
    ],
    '/',
  )
  const log = pino(
    { level: 'info' },
    new Writable({
      write(c, _e, done) {
        logged += c
        done()
      },
    }),
  )
  t = await startTestApp({ issuers, log })
  operator = await signToken(registryKey, {
    iss: REGISTRY,
    aud: 'registry-operator',
    sub: 'epp-sync',
  })
  denied.registrarToken = await signToken(registryKey, {
    iss: REGISTRY,
    aud: 'rdap',
    claims: { registrar_iana_id: 1001 },
  })
  denied.ungranted = await signToken(policeKey, { iss: POLICE, aud: 'registry-operator' })
  denied.forged = await signToken(policeKey, { iss: REGISTRY, aud: 'registry-operator' })
})
afterAll(() => t.close())

describe('who may write', () => {
  test('no token: 401 with a Bearer challenge', async () => {
    const res = await request(t.app).put('/ingest/domains/fresh.example').send(domain()).expect(401)
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="ingest"/)
  })

  test('a token of the disclosure audience: 403, even from an issuer that grants the ingest', async () => {
    const res = await put('/ingest/domains/fresh.example', domain(), denied.registrarToken).expect(
      403,
    )
    expect(res.body.error).toMatch(/not for the ingest API/)
  })

  test('an issuer that does not grant registry-operator: 403', async () => {
    await put('/ingest/domains/fresh.example', domain(), denied.ungranted).expect(403)
  })

  test('a token signed with another key: 401', async () => {
    await put('/ingest/domains/fresh.example', domain(), denied.forged).expect(401)
  })

  test('an issuer whose keys cannot be fetched: 503, not a refused token', async () => {
    const key = await makeKey('remote-1')
    const unreachable = await buildIssuers(
      [
        {
          iss: 'https://remote.test',
          audience: 'rdap',
          jwksUrl: 'http://127.0.0.1:9/jwks.json', // discard port: nothing answers
          grants: ['registry-operator'],
        },
      ],
      '/',
    )
    const other = await startTestApp({ issuers: unreachable })
    try {
      const token = await signToken(key, { iss: 'https://remote.test', aud: 'registry-operator' })
      await request(other.app)
        .put('/ingest/domains/fresh.example')
        .set('Authorization', `Bearer ${token}`)
        .send(domain())
        .expect(503)
    } finally {
      await other.close()
    }
  })

  test('nothing was written by any of them', async () => {
    await request(t.app).get('/rdap/domain/fresh.example').expect(404)
  })
})

describe('changes, in the order of their own update times', () => {
  test('a new domain is created and the next lookup shows it', async () => {
    const res = await put('/ingest/domains/fresh.example', domain()).expect(201)
    expect(res.body).toEqual({ created: 'fresh.example', at: '2026-12-01T00:00:00.000Z' })
    const { body } = await request(t.app).get('/rdap/domain/fresh.example').expect(200)
    expect(body.nameservers.map((n: { ldhName: string }) => n.ldhName)).toEqual(['ns1.nic.example'])
  })

  test('the same change again is answered, not applied twice', async () => {
    const res = await put('/ingest/domains/fresh.example', domain()).expect(200)
    expect(res.body.unchanged).toBe('fresh.example')
  })

  test('a newer change applies; an older one is ignored with 409 and the stored time', async () => {
    await put(
      '/ingest/domains/fresh.example',
      domain({ status: ['clientHold'], upDate: '2026-12-02T00:00:00Z' }),
    ).expect(200)
    const stale = await put(
      '/ingest/domains/fresh.example',
      domain({ status: ['ok'], upDate: '2026-12-01T12:00:00Z' }),
    ).expect(409)
    expect(stale.body.stored).toBe('2026-12-02T00:00:00.000Z')
    const { body } = await request(t.app).get('/rdap/domain/fresh.example').expect(200)
    expect(body.status).toEqual(['client hold'])
  })

  test('references must exist: an unknown contact or registrar is refused with 422', async () => {
    const res = await put(
      '/ingest/domains/other.example',
      domain({ name: 'other.example', roid: 'D9001-EXAMPLE', registrant: 'nobody' }),
    ).expect(422)
    expect(res.body.error).toMatch(/contact "nobody" does not exist/)
    await put(
      '/ingest/domains/other.example',
      domain({ name: 'other.example', roid: 'D9001-EXAMPLE', clID: 'no-such-registrar' }),
    ).expect(422)
  })

  test('a body that does not match its schema or its path is refused with 400 or 422', async () => {
    const bad = await put('/ingest/domains/fresh.example', { name: 'fresh.example' }).expect(400)
    expect(bad.body.error).toMatch(/roid/)
    await put('/ingest/domains/elsewhere.example', domain()).expect(422)
    await put('/ingest/planets/mars', domain()).expect(404)
  })

  test('an identifier another object holds is a conflict (409), not an outage', async () => {
    // a contact id already used by a contact with another ROID
    const res = await put('/ingest/contacts/C2001-EXAMPLE', {
      id: 'C2001-EXAMPLE',
      roid: 'C9999-OTHER',
      postalInfo: [{ type: 'int', name: 'Someone Else' }],
      clID: '1001',
      crDate: '2026-12-01T00:00:00Z',
    }).expect(409)
    expect(res.body.error).toMatch(/identifier belongs to another object/)
    expect(JSON.stringify(res.body)).not.toContain('Someone Else')
  })

  test('a contact changes in place: its e-mail is new to the next lookup, and the log never holds it', async () => {
    await put('/ingest/contacts/C1001-EXAMPLE', {
      id: 'C1001-EXAMPLE',
      roid: 'C1001-EXAMPLE',
      postalInfo: [
        {
          type: 'int',
          name: 'Erika Mustermann',
          addr: { street: ['Heidestraße 17'], city: 'Köln', cc: 'DE' },
        },
      ],
      email: 'erika.new@mail.example',
      clID: '1001',
      crDate: '2019-04-01T10:00:00Z',
      upDate: '2026-12-03T00:00:00Z',
    }).expect(200)
    const [row] = await t.db.primary.query<{ email: string }>(
      `select email from contacts where handle = 'C1001-EXAMPLE'`,
    )
    expect(row!.email).toBe('erika.new@mail.example')
    expect(logged).toContain('"subject":"epp-sync"')
    expect(logged).not.toContain('erika.new@mail.example')
    expect(logged).not.toContain('Heidestraße')
  })

  test('a new TLD is served once a domain is written under it', async () => {
    await put(
      '/ingest/domains/first.newtld',
      domain({ name: 'first.newtld', roid: 'D9002-EXAMPLE' }),
    ).expect(201)
    const { body } = await request(t.app).get('/rdap/help').expect(200)
    expect(JSON.stringify(body.notices)).toContain('.newtld')
  })

  test('a delete: older than the object is 409, in use is 409, else gone; a late PUT stays deleted', async () => {
    const del = (path: string, upDate: string) =>
      request(t.app).delete(path).set('Authorization', `Bearer ${operator}`).send({ upDate })
    await del('/ingest/domains/fresh.example', '2026-11-30T00:00:00Z').expect(409)
    const inUse = await del('/ingest/contacts/C2001-EXAMPLE', '2026-12-05T00:00:00Z').expect(409)
    expect(inUse.body.error).toMatch(/still in use/)
    await del('/ingest/domains/fresh.example', '2026-12-05T00:00:00Z').expect(200)
    await request(t.app).get('/rdap/domain/fresh.example').expect(404)
    const late = await put(
      '/ingest/domains/fresh.example',
      domain({ upDate: '2026-12-04T00:00:00Z' }),
    ).expect(409)
    expect(late.body.stored).toBe('2026-12-05T00:00:00.000Z')
    await del('/ingest/domains/fresh.example', '2026-12-06T00:00:00Z').expect(404)
  })

  test('every change is on record: who, what and when', async () => {
    const rows = await t.db.primary.query<Record<string, string>>(
      `select issuer, subject, action, object_class, object_key from registry_changes order by id`,
    )
    expect(rows).toEqual([
      {
        issuer: REGISTRY,
        subject: 'epp-sync',
        action: 'put',
        object_class: 'domain',
        object_key: 'fresh.example',
      },
      {
        issuer: REGISTRY,
        subject: 'epp-sync',
        action: 'put',
        object_class: 'domain',
        object_key: 'fresh.example',
      },
      {
        issuer: REGISTRY,
        subject: 'epp-sync',
        action: 'put',
        object_class: 'contact',
        object_key: 'C1001-EXAMPLE',
      },
      {
        issuer: REGISTRY,
        subject: 'epp-sync',
        action: 'put',
        object_class: 'domain',
        object_key: 'first.newtld',
      },
      {
        issuer: REGISTRY,
        subject: 'epp-sync',
        action: 'delete',
        object_class: 'domain',
        object_key: 'fresh.example',
      },
    ])
  })
})
