import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import request from 'supertest'
import { startAnswerCache, type AnswerCache } from '../../src/answer-cache.js'
import { createRateLimits } from '../../src/limits/rate-limits.js'
import { createMetrics } from '../../src/metrics.js'
import { ENGINE, silentLog } from '../helpers/db.js'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { startWebTestApp, type WebTestApp } from '../helpers/web.js'

const DOMAINS = [
  'privacy.example',
  'company.example',
  'consent.example',
  'xn--bcher-kva.example',
  'signed.example',
]
const CONTACTS = ['C1001-EXAMPLE', 'C1002-EXAMPLE', 'C1003-EXAMPLE', 'C2001-EXAMPLE']
const stamp = (text: string) =>
  text.replace(/("last update of RDAP database","eventDate":")[^"]+/, '$1')

describe(`the public answer cache (${ENGINE})`, () => {
  let w: WebTestApp
  const metrics = createMetrics()
  let tokens: Record<string, string | undefined>
  beforeAll(async () => {
    w = await startWebTestApp({
      metrics,
      cache: (db) => startAnswerCache({ db: db.primary, max: 100, log: silentLog, metrics }),
    })
    tokens = {
      anonymous: undefined,
      'registrar 1001': await w.registrar(1001),
      'registrar 1002': await w.registrar(1002),
      'law enforcement': await w.le(),
    }
  })
  afterAll(async () => {
    await w.t.close()
  })

  /** the same lookup on the cached and the uncached app */
  async function both(path: string, token: string | undefined) {
    const ask = (app: typeof w.t.app | string) => {
      const r = request(app).get(path)
      return token ? r.set('Authorization', `Bearer ${token}`) : r
    }
    // the cached side as the server serves it: popular names answered before the app
    const [cached, uncached] = await Promise.all([ask(w.t.edge!), ask(w.t.uncached!)])
    return { cached, uncached }
  }

  /** waits until the cache has heard of the change just committed */
  async function announced(before: number) {
    const until = Date.now() + 1000
    while (w.t.cache!.generation() === before && Date.now() < until)
      await new Promise((r) => setTimeout(r, 5))
    expect(w.t.cache!.generation()).toBeGreaterThan(before)
  }

  test("updates and lookups by random viewers: every answer is the uncached server's", async () => {
    const lookup = fc.record({
      kind: fc.constant('lookup' as const),
      domain: fc.constantFrom(...DOMAINS),
      viewer: fc.constantFrom('anonymous', 'registrar 1001', 'registrar 1002', 'law enforcement'),
      publicView: fc.boolean(),
    })
    const update = fc.oneof(
      fc.record({
        kind: fc.constant('contact' as const),
        roid: fc.constantFrom(...CONTACTS),
        name: fc.string({ minLength: 1, maxLength: 20 }),
        consent: fc.subarray(['name', 'email', 'address']),
      }),
      fc.record({
        kind: fc.constant('statuses' as const),
        domain: fc.constantFrom(...DOMAINS),
        statuses: fc.subarray(['ok', 'clientHold', 'clientTransferProhibited', 'serverHold'], {
          minLength: 1,
        }),
      }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(lookup, lookup, lookup, update), { maxLength: 30 }),
        async (ops) => {
          for (const op of ops) {
            if (op.kind === 'lookup') {
              const path = `/rdap/domain/${op.domain}${op.publicView ? '?view=public' : ''}`
              const { cached, uncached } = await both(path, tokens[op.viewer])
              expect(cached.status).toBe(uncached.status)
              expect(stamp(cached.text)).toBe(stamp(uncached.text))
              continue
            }
            const before = w.t.cache!.generation()
            if (op.kind === 'contact')
              await w.t.db.primary.query(
                'update contacts set name = $2, consent = $3 where roid = $1',
                [op.roid, op.name, op.consent],
              )
            else
              await w.t.db.primary.query('update domains set statuses = $2 where ldh_name = $1', [
                op.domain,
                op.statuses,
              ])
            await announced(before)
          }
        },
      ),
      { numRuns: 25 },
    )
    // the cache was used, and answered only anonymous lookups
    const text = await metrics.registry.metrics()
    expect(text).toMatch(/rdds_cache_events_total\{event="hit"\} [1-9]/)
    expect(text).toMatch(/rdds_cache_events_total\{event="invalidation"\} [1-9]/)
  }, 120_000)

  /** asks the edge until the cache answers a name (a name is kept the second time it is missed) */
  async function kept(path: string) {
    const hits = async () =>
      Number(
        /rdds_cache_events_total\{event="hit"\} (\d+)/.exec(
          await metrics.registry.metrics(),
        )?.[1] ?? 0,
      )
    for (let i = 0; i < 3; i++) {
      const before = await hits()
      const res = await request(w.t.edge!).get(path).expect(200)
      if ((await hits()) > before) return res
    }
    throw new Error(`${path} was never answered from the cache`)
  }

  test('a kept body is the answer the app gives: the same headers and body, the time of now', async () => {
    const path = '/rdap/domain/company.example'
    const fromCache = await kept(path)
    const fromApp = await request(w.t.uncached!).get(path).expect(200)
    expect(stamp(fromCache.text)).toBe(stamp(fromApp.text))
    const headers = (h: Record<string, string>) => {
      const { date: _, 'x-request-id': id, connection: __, 'keep-alive': ___, ...rest } = h
      expect(id).toMatch(/^[0-9a-f-]{36}$/)
      return rest
    }
    expect(headers(fromCache.headers)).toEqual(headers(fromApp.headers))
    // the response time is the time of this answer, not of the one kept
    const at = Date.parse(
      /"last update of RDAP database","eventDate":"([^"]+)"/.exec(fromCache.text)![1]!,
    )
    expect(Math.abs(at - Date.now())).toBeLessThan(2000)
    // a caller's request id is kept, as the app keeps it
    const tagged = await request(w.t.edge!).get(path).set('X-Request-Id', 'edge-1').expect(200)
    expect(tagged.headers['x-request-id']).toBe('edge-1')
    const head = await request(w.t.edge!).head(path).expect(200)
    expect(head.headers['content-length']).toBe(fromCache.headers['content-length'])
    expect(head.text ?? '').toBe('')
  })

  test('the edge counts what it answers, and leaves every other request to the app', async () => {
    const path = '/rdap/domain/signed.example'
    await kept(path)
    const served = async () =>
      Number(
        /rdds_requests_total\{protocol="rdap",query="domain",audience="public",status="200"\} (\d+)/.exec(
          await metrics.registry.metrics(),
        )?.[1] ?? 0,
      )
    const before = await served()
    await request(w.t.edge!).get(path).expect(200)
    expect(await served()).toBe(before + 1)
    // a token, another spelling of the name, a query string: the app answers, as ever
    const full = await request(w.t.edge!)
      .get(path)
      .set('Authorization', `Bearer ${tokens['law enforcement']}`)
      .expect(200)
    expect(full.text).toContain('Authorized access')
    for (const other of ['/rdap/domain/SIGNED.example', `${path}?view=public`, `${path}.`]) {
      const res = await request(w.t.edge!).get(other)
      const app = await request(w.t.uncached!).get(other)
      expect(res.status).toBe(app.status)
      expect(stamp(res.text)).toBe(stamp(app.text))
    }
  })

  test('each lookup counts once: a miss when the database is read, a hit when the cache answers', async () => {
    const path = '/rdap/domain/consent.example'
    await kept(path)
    const events = async () => {
      const text = await metrics.registry.metrics()
      const n = (event: string) =>
        Number(
          new RegExp(`rdds_cache_events_total\\{event="${event}"\\} (\\d+)`).exec(text)?.[1] ?? 0,
        )
      return { hit: n('hit'), miss: n('miss') }
    }
    // a change drops the name: the next lookup reads the database again
    const before = w.t.cache!.generation()
    await w.t.db.primary.query('update domains set statuses = statuses where ldh_name = $1', [
      'consent.example',
    ])
    await announced(before)
    const start = await events()
    // asked three times: read (and the body kept the second time it is missed), then answered
    const counted: number[] = []
    for (let i = 0; i < 3; i++) {
      await request(w.t.edge!).get(path).expect(200)
      const now = await events()
      counted.push(now.hit + now.miss)
    }
    const end = await events()
    expect(counted).toEqual([1, 2, 3].map((n) => start.hit + start.miss + n))
    expect(end.miss - start.miss).toBeGreaterThanOrEqual(1)
    expect(end.hit - start.hit).toBeGreaterThanOrEqual(1)
  })

  test('an accredited answer is never served from the cache: each is decided and audited', async () => {
    const count = async () =>
      Number(
        (await w.t.db.primary.query<{ n: string }>('select count(*) as n from disclosures'))[0]!.n,
      )
    await request(w.t.app).get('/rdap/domain/privacy.example').expect(200) // the public answer, kept
    const before = await count()
    for (let i = 0; i < 3; i++)
      await request(w.t.app)
        .get('/rdap/domain/privacy.example')
        .set('Authorization', `Bearer ${tokens['law enforcement']}`)
        .expect(200)
    expect(await count()).toBe(before + 3)
  })

  test('without notifications, a change is served stale for a second at most', async () => {
    // a cache whose notifications never arrive: only its one-second limit can end a stale answer
    const deaf = {
      ...w.t.db.primary,
      listen: async () => async () => undefined,
    }
    const cache = await startAnswerCache({ db: deaf, max: 10, log: silentLog })
    try {
      const d1 = await request(w.t.app).get('/rdap/domain/company.example') // warm the real path
      expect(d1.status).toBe(200)
      const { lookupDomain } = await import('../../src/lookup.js')
      const { createAuditLog } = await import('../../src/audit/disclosures.js')
      const deps = {
        reader: w.t.db.reader,
        policy: w.t.policy,
        audit: createAuditLog(w.t.db.primary),
        log: silentLog,
        cache,
      }
      const ctx = () => ({
        viewer: { kind: 'anonymous' as const },
        requestId: 't',
        now: new Date(),
      })
      const name = { ldhName: 'company.example', unicodeName: null }
      const first = await lookupDomain(deps, name, ctx())
      await w.t.db.primary.query(
        "update domains set statuses = '{serverHold}' where ldh_name = 'company.example'",
      )
      const changedAt = Date.now()
      const stale = await lookupDomain(deps, name, ctx())
      expect(stale).toBe(first) // served from the cache: the notification never came
      let fresh = stale
      while (fresh === first) {
        await new Promise((r) => setTimeout(r, 20))
        fresh = await lookupDomain(deps, name, ctx())
      }
      expect(Date.now() - changedAt).toBeLessThan(1200)
      expect(fresh.record.kind === 'domain' && fresh.record.domain.statuses).toEqual(['serverHold'])
    } finally {
      await cache.close()
    }
  })

  test('kept bodies: served while the beats come back, none a second after they stop', async () => {
    const body =
      '{"events":[{"eventAction":"last update of RDAP database","eventDate":"2000-01-01T00:00:00Z"}]}'
    const keep = (cache: AnswerCache) => {
      const seen = cache.generation()
      cache.keepBody('company.example', seen, 'http://a/rdap/', body) // missed once
      cache.keepBody('company.example', seen, 'http://a/rdap/', body) // twice: kept
    }
    const now = new Date('2026-12-06T12:00:00Z')
    const listening = await startAnswerCache({ db: w.t.db.primary, max: 10, log: silentLog })
    const deaf = await startAnswerCache({
      db: { ...w.t.db.primary, listen: async () => async () => undefined },
      max: 10,
      log: silentLog,
    })
    const started = Date.now()
    try {
      keep(listening)
      keep(deaf)
      const text = (c: AnswerCache) => c.body('company.example', 'http://a/rdap/', now)?.toString()
      const answer = body.replace('2000-01-01T00:00:00Z', '2026-12-06T12:00:00Z')
      expect(text(listening)).toBe(answer)
      expect(text(deaf)).toBe(answer)
      expect(listening.body('company.example', 'http://b/rdap/', now)).toBeUndefined()
      // under nine other base URLs (Host headers): each answer read back as it was kept
      for (let i = 0; i < 9; i++) {
        const other = body.replace('{"events"', `{"base":${i},"events"`)
        listening.keepBody(`n${i}.example`, listening.generation(), `http://h${i}/rdap/`, other)
        listening.keepBody(`n${i}.example`, listening.generation(), `http://h${i}/rdap/`, other)
      }
      for (let i = 0; i < 9; i++)
        expect(listening.body(`n${i}.example`, `http://h${i}/rdap/`, now)?.toString()).toBe(
          answer.replace('{"events"', `{"base":${i},"events"`),
        )
      while (text(deaf) !== undefined) await new Promise((r) => setTimeout(r, 20))
      expect(Date.now() - started).toBeLessThan(1200)
      await new Promise((r) => setTimeout(r, 500))
      expect(text(listening)).toBe(answer) // its beats came back: still served
    } finally {
      await Promise.all([listening.close(), deaf.close()])
    }
  })

  test('a body asked again and again: the time of each answer, no body handed out altered', async () => {
    const body = (name: string) =>
      `{"ldhName":"${name}","events":[{"eventAction":"last update of RDAP database","eventDate":"2000-01-01T00:00:00Z"}]}`
    const cache = await startAnswerCache({ db: w.t.db.primary, max: 10, log: silentLog })
    try {
      const names = ['a.example', 'b.example', 'c.example']
      for (const name of names)
        for (const _ of [1, 2])
          cache.keepBody(name, cache.generation(), 'http://a/rdap/', body(name))
      const served: { buffer: Buffer; text: string }[] = []
      // the same names within one second and across seconds, interleaved: inflated, then whole
      for (const at of [
        '12:00:00.100',
        '12:00:00.900',
        '12:00:00.950',
        '12:00:01.000',
        '12:00:03.5',
      ])
        for (const name of [...names, 'a.example']) {
          const now = new Date(`2026-12-06T${at}Z`)
          const buffer = cache.body(name, 'http://a/rdap/', now)!
          const text = body(name).replace(
            '2000-01-01T00:00:00Z',
            now.toISOString().slice(0, 19) + 'Z',
          )
          expect(buffer.toString()).toBe(text)
          served.push({ buffer, text })
        }
      // a socket may still be sending any of them: none was written to since
      for (const { buffer, text } of served) expect(buffer.toString()).toBe(text)
    } finally {
      await cache.close()
    }
  })
})

describe(`the public answer cache's edge under rate limits (${ENGINE})`, () => {
  let t: TestApp
  beforeAll(async () => {
    const limits = createRateLimits(
      { RATE_LIMIT_PUBLIC: '4/60', RATE_LIMIT_AUTHENTICATED: '0' },
      silentLog,
    )
    t = await startTestApp({
      limits,
      cache: (db) => startAnswerCache({ db: db.primary, max: 10, log: silentLog }),
    })
  })
  afterAll(() => t.close())

  test('an answer from the cache takes its query from the budget like any other', async () => {
    const path = '/rdap/domain/privacy.example'
    for (let i = 0; i < 4; i++) await request(t.edge!).get(path).expect(200) // the last two kept
    const over = await request(t.edge!).get(path).expect(429)
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(over.body).toMatchObject({ errorCode: 429, title: 'Too Many Requests' })
  })
})
