import { LRUCache } from 'lru-cache'
import type { Logger } from './log.js'
import type { Metrics } from './metrics.js'
import type { Disclosure } from './policy/disclosure.js'
import type { Db } from './storage/db.js'

/**
 * Public answers to domain lookups, kept in memory so that a popular name is not read and decided
 * again for every query. Never wrong for longer than a second: every change to registration data
 * is announced by the database when it commits (NOTIFY rdds_changes) and drops what it touches;
 * an answer read while a change was announced is not kept; every answer is dropped a second after
 * it was read anyway (a notification can come late); and while the notification connection is down
 * nothing is served from the cache. Only public disclosures go in: no answer for a registrar or an
 * accredited requester is ever kept or served from here.
 */
export interface AnswerCache {
  /** the public answer for this name, if kept and still valid */
  get(ldhName: string): Disclosure | undefined
  /** a counter of changes seen: read it before reading the database, give it to `set` */
  generation(): number
  /** keeps a public answer read since `generation` was `seen`, unless a change came meanwhile */
  set(ldhName: string, seen: number, disclosure: Disclosure): void
  close(): Promise<void>
}

export interface AnswerCacheOptions {
  readonly db: Db
  /** the most answers kept */
  readonly max: number
  readonly log: Logger
  readonly metrics?: Metrics
  /** how long an answer is kept at most (1000 ms; shorter in tests) */
  readonly ttlMs?: number
}

export const CHANGES_CHANNEL = 'rdds_changes'

export async function startAnswerCache(o: AnswerCacheOptions): Promise<AnswerCache> {
  const entries = new LRUCache<string, Disclosure>({ max: o.max, ttl: o.ttlMs ?? 1000 })
  let generation = 0
  let live = false
  let closed = false
  let stop: (() => Promise<void>) | undefined
  let retry: NodeJS.Timeout | undefined

  const changed = (payload: string) => {
    generation++
    o.metrics?.cache('invalidation')
    if (payload === '*' || payload === '') entries.clear()
    else for (const name of payload.split(',')) entries.delete(name)
  }
  const connect = async () => {
    try {
      stop = await o.db.listen(CHANGES_CHANNEL, changed, (err) => {
        // notifications may have been missed: forget everything, serve nothing until back
        live = false
        generation++
        entries.clear()
        o.log.warn(
          { err: { message: err.message } },
          'change notifications lost; cache off until back',
        )
        if (!closed) retry = setTimeout(() => void connect(), 1000)
      })
      generation++
      entries.clear()
      live = true
    } catch (err) {
      o.log.warn({ err: { message: (err as Error).message } }, 'change notifications unavailable')
      if (!closed) retry = setTimeout(() => void connect(), 1000)
    }
  }
  await connect()
  return {
    get(name) {
      if (!live) return undefined
      const hit = entries.get(name)
      o.metrics?.cache(hit ? 'hit' : 'miss')
      return hit
    },
    generation: () => generation,
    set(name, seen, disclosure) {
      if (live && seen === generation && disclosure.audience === 'public')
        entries.set(name, disclosure)
    },
    async close() {
      closed = true
      clearTimeout(retry)
      live = false
      await stop?.()
    },
  }
}
