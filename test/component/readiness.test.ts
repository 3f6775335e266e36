import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import request from 'supertest'
import { createAuditLog } from '../../src/audit/disclosures.js'
import { createVerifier } from '../../src/auth/tokens.js'
import { createApp } from '../../src/http/app.js'
import { openDatabases } from '../../src/storage/db.js'
import {
  loadTestPolicy,
  searchParts,
  startAccreditedApp,
  startTestApp,
  TEST_SITE,
  type TestApp,
} from '../helpers/app.js'
import { ENGINE, silentLog } from '../helpers/db.js'
import { startFaultProxy } from '../helpers/fault-proxy.js'

describe(`readiness (${ENGINE})`, () => {
  ;(ENGINE === 'pg' ? test : test.skip)(
    'readyz answers 503 while the database is unreachable and 200 once it is back, without a restart',
    async () => {
      const target = new URL(process.env.DATABASE_URL!)
      const proxy = await startFaultProxy(target)
      const dbs = await openDatabases({ DATABASE_URL: proxy.urlFor(target.href) }, silentLog, {
        schema: 't_readiness',
      })
      const policy = await loadTestPolicy()
      const app = createApp({
        reader: dbs.reader,
        primary: dbs.primary,
        ...searchParts(dbs.search),
        policy,
        audit: createAuditLog(dbs.primary),
        log: silentLog,
        verifyBearer: createVerifier({ issuers: new Map(), db: dbs.primary }),
        site: TEST_SITE,
      })
      try {
        await request(app).get('/readyz').expect(200)
        await proxy.refuse()
        await request(app).get('/readyz').expect(503)
        const lookup = await request(app).get('/rdap/domain/privacy.example').expect(503)
        expect(lookup.body).toMatchObject({ errorCode: 503, title: 'Service Unavailable' })
        await request(app).get('/healthz').expect(200)
        await proxy.heal()
        await request(app).get('/readyz').expect(200)
      } finally {
        await dbs.primary.exec('drop schema t_readiness cascade').catch(() => undefined)
        await dbs.close()
        await proxy.close()
      }
    },
    20000,
  )

  test('when the database is gone, then lookups answer 503 with an RDAP error and readyz 503', async () => {
    const t = await startTestApp()
    await t.db.close()
    const res = await request(t.app).get('/rdap/domain/privacy.example').expect(503)
    expect(res.body).toMatchObject({
      errorCode: 503,
      description: [expect.stringContaining('unavailable')],
    })
    expect(res.text).not.toMatch(/stack|pglite|closed/i)
    await request(t.app).get('/readyz').expect(503)
  })

  describe('when a table the answer needs is missing (renamed by an operator)', () => {
    let t: TestApp
    let token: string
    beforeAll(async () => {
      ;({ t, token } = await startAccreditedApp())
    })
    afterAll(() => t.close())
    const lookup = (auth?: string) => {
      const req = request(t.app).get('/rdap/domain/privacy.example')
      return auth ? req.set('Authorization', `Bearer ${auth}`) : req
    }

    test('accreditations: an accredited request answers 503 with Retry-After, never 500', async () => {
      await lookup(token).expect(200)
      await t.db.primary.exec('alter table accreditations rename to accreditations_away')
      try {
        const res = await lookup(token).expect(503)
        expect(res.headers['retry-after']).toMatch(/^\d+$/)
        expect(res.body).toMatchObject({ errorCode: 503 })
        expect(res.text).not.toMatch(/accreditations|relation/)
        await lookup().expect(200)
      } finally {
        await t.db.primary.exec('alter table accreditations_away rename to accreditations')
      }
      await lookup(token).expect(200)
    })

    test('disclosures: the public is served, accredited requests refused, readyz says degraded', async () => {
      await request(t.app)
        .get('/readyz')
        .expect(200, { status: 'ready', database: 'up', audit: 'up' })
      await t.db.primary.exec('alter table disclosures rename to disclosures_away')
      try {
        const refused = await lookup(token).expect(503)
        expect(refused.headers['retry-after']).toMatch(/^\d+$/)
        await lookup().expect(200)
        await request(t.app)
          .get('/readyz')
          .expect(200, { status: 'degraded', database: 'up', audit: 'down' })
      } finally {
        await t.db.primary.exec('alter table disclosures_away rename to disclosures')
      }
      // the failed append is remembered a while: visible, still served
      await request(t.app)
        .get('/readyz')
        .expect(200, { status: 'degraded', database: 'up', audit: 'failing' })
      await lookup(token).expect(200)
      await request(t.app)
        .get('/readyz')
        .expect(200, { status: 'ready', database: 'up', audit: 'up' })
    })
  })
})
