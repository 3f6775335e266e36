import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { describe, expect, test } from '@jest/globals'
import request from 'supertest'
import { createAuditLog } from '../../src/audit/disclosures.js'
import { createVerifier } from '../../src/auth/tokens.js'
import { createApp } from '../../src/http/app.js'
import { openDatabases } from '../../src/storage/db.js'
import { loadTestPolicy, startTestApp, TEST_SITE } from '../helpers/app.js'
import { ENGINE, silentLog } from '../helpers/db.js'

/** a TCP proxy to Postgres that can be cut and restored, to play a database outage */
async function outageProxy(
  target: URL,
): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void> }> {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname)
        sockets.add(client).add(upstream)
        client.pipe(upstream).pipe(client)
        const drop = () => {
          client.destroy()
          upstream.destroy()
        }
        client.on('error', drop).on('close', drop)
        upstream.on('error', drop).on('close', drop)
      })
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port
        resolve()
      })
    })
  await start()
  return {
    get port() {
      return port
    },
    cut: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy())
        sockets.clear()
        server!.close(() => resolve())
      }),
    restore: start,
  }
}

describe(`readiness (${ENGINE})`, () => {
  ;(ENGINE === 'pg' ? test : test.skip)(
    'readyz answers 503 while the database is unreachable and 200 once it is back, without a restart',
    async () => {
      const target = new URL(process.env.DATABASE_URL!)
      const proxy = await outageProxy(target)
      const url = new URL(target.href)
      url.hostname = '127.0.0.1'
      url.port = String(proxy.port)
      const dbs = await openDatabases({ DATABASE_URL: url.href }, silentLog, {
        schema: 't_readiness',
      })
      const policy = await loadTestPolicy()
      const app = createApp({
        reader: dbs.reader,
        primary: dbs.primary,
        policy,
        audit: createAuditLog(dbs.primary),
        log: silentLog,
        verifyBearer: createVerifier({ issuers: new Map(), db: dbs.primary }),
        site: TEST_SITE,
      })
      try {
        await request(app).get('/readyz').expect(200)
        await proxy.cut()
        await request(app).get('/readyz').expect(503)
        const lookup = await request(app).get('/rdap/domain/privacy.example').expect(503)
        expect(lookup.body).toMatchObject({ errorCode: 503, title: 'Service Unavailable' })
        await request(app).get('/healthz').expect(200)
        await proxy.restore()
        await request(app).get('/readyz').expect(200)
      } finally {
        await dbs.primary.exec('drop schema t_readiness cascade').catch(() => undefined)
        await dbs.close()
        await proxy.cut()
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
})
