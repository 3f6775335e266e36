import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { signDemoToken } from '../../src/demo/issuer.js'
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.js'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js'
import { isolatedEnv, startServerProcess, type ServerProcess } from '../helpers/processes.js'

/**
 * The server as a process, on PostgreSQL through a proxy that plays faults, under a load of
 * anonymous and law-enforcement lookups. Whatever the fault: the process lives, every answer is
 * 200 or 503 (with Retry-After), a stalled database answers within the query timeout, every
 * disclosure of personal data has its audit row, and service returns by itself when the fault ends.
 * The embedded database has no connection to lose: its faults are in readiness.test.ts.
 */
const TIMEOUT_MS = 1000
const WORKERS = 8

interface Outcome {
  readonly status: number
  readonly ms: number
  readonly authorized: boolean
  readonly requestId: string
  readonly retryAfter: string | null
  readonly errorCode: unknown
}

;(ENGINE === 'pg' ? describe : describe.skip)('database faults under load (pg)', () => {
  let db: TestDb
  let proxy: FaultProxy
  let server: ServerProcess
  let token: string
  let seq = 0
  const figures: string[] = []

  beforeAll(async () => {
    db = await openTestDb({ seed: false })
    const target = new URL(process.env.DATABASE_URL!)
    proxy = await startFaultProxy(target)
    const url = new URL(proxy.urlFor(target.href))
    url.searchParams.set('options', `-c search_path=${db.schema}`)
    url.searchParams.set('application_name', `rdds-faults-${db.schema}`)
    const env = await isolatedEnv({
      DATABASE_URL: url.href,
      DEMO: 'true',
      DATABASE_TIMEOUT_MS: String(TIMEOUT_MS),
      DATABASE_POOL_SIZE: '8',
      RATE_LIMIT_EXEMPT: '127.0.0.1', // the load comes from one address
      LOG_LEVEL: 'info',
    })
    server = await startServerProcess(env)
    token = await signDemoToken(env.DATA_DIR!, {
      audience: 'accredited:law-enforcement',
      ttl: '1h',
    })
  }, 60000)

  afterAll(async () => {
    if (figures.length) process.stdout.write(`database faults:\n${figures.join('\n')}\n`)
    await server?.stop()
    await proxy?.close()
    await db?.close()
  })

  async function one(authorized: boolean): Promise<Outcome> {
    const requestId = `fault-${++seq}`
    const started = Date.now()
    const res = await fetch(`${server.base}/rdap/domain/privacy.example`, {
      headers: {
        'x-request-id': requestId,
        ...(authorized ? { authorization: `Bearer ${token}` } : {}),
      },
    })
    const body = (await res.json()) as { errorCode?: unknown }
    return {
      status: res.status,
      ms: Date.now() - started,
      authorized,
      requestId,
      retryAfter: res.headers.get('retry-after'),
      errorCode: body.errorCode,
    }
  }

  /** WORKERS clients asking one after another until `until` resolves */
  async function load(until: Promise<unknown>): Promise<Outcome[]> {
    let done = false
    void until.then(() => (done = true))
    const outcomes: Outcome[] = []
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        for (let i = 0; !done; i++) outcomes.push(await one((w + i) % 2 === 0))
      }),
    )
    return outcomes
  }

  /** from the fault's end: how long until both kinds of lookup answer 200 again */
  async function recovery(): Promise<number> {
    const healed = Date.now()
    for (;;) {
      const [a, b] = await Promise.all([one(false), one(true)])
      if (a.status === 200 && b.status === 200) return Date.now() - healed
      if (Date.now() - healed > 15000) throw new Error('service did not come back within 15 s')
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

  async function scenario(
    name: string,
    fault: () => Promise<number>,
  ): Promise<{ outcomes: Outcome[]; recoveredMs: number }> {
    const faulting = fault()
    const outcomes = await load(faulting)
    const injected = await faulting
    await proxy.heal()
    const recoveredMs = await recovery()
    expect(server.child.exitCode).toBeNull()
    const count = (s: number) => outcomes.filter((o) => o.status === s).length
    figures.push(
      `  ${name}: ${injected} fault(s), ${outcomes.length} requests: ${count(200)} × 200, ${count(503)} × 503, ${outcomes.length - count(200) - count(503)} other; longest ${Math.max(...outcomes.map((o) => o.ms))} ms; back ${recoveredMs} ms after the fault ended; process alive`,
    )
    for (const o of outcomes) {
      expect([200, 503]).toContain(o.status)
      if (o.status === 503) {
        expect(o.retryAfter).toMatch(/^\d+$/)
        expect(o.errorCode).toBe(503)
      }
    }
    return { outcomes, recoveredMs }
  }

  test('connections reset every 300 ms', async () => {
    const { recoveredMs } = await scenario('reset every 300 ms for 4 s', async () => {
      let n = 0
      for (; n < 13; n++) {
        await sleep(300)
        proxy.reset()
      }
      return n
    })
    expect(recoveredMs).toBeLessThan(5000)
  }, 60000)

  test('backends terminated by the database every 300 ms', async () => {
    const { recoveredMs } = await scenario(
      'pg_terminate_backend every 300 ms for 4 s',
      async () => {
        let n = 0
        for (; n < 13; n++) {
          await sleep(300)
          await db.primary.query(
            'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
            [`rdds-faults-${db.schema}`],
          )
        }
        return n
      },
    )
    expect(recoveredMs).toBeLessThan(5000)
  }, 60000)

  test('connections silently dropped: 503 within the timeout, never a hung request', async () => {
    const { outcomes, recoveredMs } = await scenario('silent drop for 4 s', async () => {
      proxy.drop()
      await sleep(4000)
      return 1
    })
    expect(outcomes.some((o) => o.status === 503)).toBe(true)
    // a lookup waits for a connection, then for the query: each at most the timeout and a second
    for (const o of outcomes) expect(o.ms).toBeLessThan(2 * (TIMEOUT_MS + 1000) + 1000)
    expect(recoveredMs).toBeLessThan(5000)
  }, 60000)

  test('every answer delayed by 1.5 s: beyond the timeout, so 503, then served again', async () => {
    const { outcomes, recoveredMs } = await scenario('1.5 s delay for 4 s', async () => {
      proxy.delay(1500)
      await sleep(4000)
      return 1
    })
    expect(outcomes.some((o) => o.status === 503)).toBe(true)
    expect(recoveredMs).toBeLessThan(5000)
  }, 60000)

  test('new connections refused, open ones reset', async () => {
    const { outcomes, recoveredMs } = await scenario('refused for 4 s', async () => {
      await proxy.refuse()
      await sleep(4000)
      return 1
    })
    expect(outcomes.filter((o) => o.status === 503).length).toBeGreaterThan(0)
    expect(recoveredMs).toBeLessThan(5000)
  }, 60000)

  test('every law-enforcement answer with personal data has its audit row, in one whole chain', async () => {
    const { outcomes } = await scenario('reset every 300 ms, then audited', async () => {
      for (let n = 0; n < 6; n++) {
        await sleep(300)
        proxy.reset()
      }
      return 6
    })
    const disclosed = outcomes.filter((o) => o.authorized && o.status === 200)
    expect(disclosed.length).toBeGreaterThan(0)
    const rows = await db.primary.query<{ request_id: string }>(
      'select request_id from disclosures',
    )
    const audited = new Set(rows.map((r) => r.request_id))
    for (const o of disclosed) expect(audited.has(o.requestId)).toBe(true)
    const { verifyChain } = await import('../../src/audit/read.js')
    expect((await verifyChain(db.primary)).problems).toEqual([])
    expect(server.output()).not.toMatch(/unhandled|uncaught|"level":60/i)
  }, 60000)
})
