import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import request from 'supertest'
import { startAnswerCache } from '../../src/answer-cache.js'
import { createMetrics } from '../../src/metrics.js'
import { ENGINE, silentLog } from '../helpers/db.js'
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
    const ask = (app: typeof w.t.app) => {
      const r = request(app).get(path)
      return token ? r.set('Authorization', `Bearer ${token}`) : r
    }
    const [cached, uncached] = await Promise.all([ask(w.t.app), ask(w.t.uncached!)])
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
})
