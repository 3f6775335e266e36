import { randomBytes } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { LRUCache } from 'lru-cache'
import type { Logger } from './log.js'
import type { Metrics } from './metrics.js'
import type { Disclosure } from './policy/disclosure.js'
import type { Db } from './storage/db.js'
import { utcSeconds } from './domain/time.js'

/**
 * Public answers to domain lookups, kept in memory so that a popular name is not read, decided and
 * rendered again for every query. Never wrong for longer than a second: every change to
 * registration data is announced by the database when it commits (NOTIFY rdds_changes) and drops
 * what it touches; an answer read while a change was announced is not kept; and nothing is served
 * unless the notifications are known to be flowing: every 250 ms the cache sends a beat on the
 * same channel, and an answer is served only while a beat sent less than a second ago has come
 * back (notifications arrive in commit order, so every change committed before that beat has been
 * heard). While the notification connection is down nothing is served from the cache. Only public
 * disclosures go in: no answer for a registrar or an accredited requester is ever kept or served
 * from here.
 *
 * Two kinds of entries: decided disclosures (for WHOIS, web pages and RDAP viewers who get the
 * public view), and anonymous RDAP bodies, compressed against a first body of their base URL
 * (about 400 bytes where the body is 9 KB), which the HTTP edge serves without the app.
 */
export interface AnswerCache {
  /** the public answer for this name, if kept and still valid */
  get(ldhName: string): Disclosure | undefined
  /** a counter of changes seen: read it before reading the database, give it to `set` */
  generation(): number
  /** keeps a public answer read since `generation` was `seen`, unless a change came meanwhile */
  set(ldhName: string, seen: number, disclosure: Disclosure): void
  /** the anonymous RDAP body for this name under this base URL, its response time `now` */
  body(ldhName: string, baseUrl: string, now: Date): Buffer | undefined
  /** keeps the anonymous RDAP body of a public answer read since `seen` */
  keepBody(ldhName: string, seen: number, baseUrl: string, body: string): void
  close(): Promise<void>
}

export interface AnswerCacheOptions {
  readonly db: Db
  /** the most RDAP bodies kept; a hundredth as many decided disclosures (each weighs some 20 KB) */
  readonly max: number
  readonly log: Logger
  readonly metrics?: Metrics
  /**
   * how long an answer is kept at most; unset: until a change or eviction. Lookups that read a
   * replica need it (1000 ms): a replica can replay a change after its notification came.
   */
  readonly ttlMs?: number
}

export const CHANGES_CHANNEL = 'rdds_changes'

/** how often the cache checks that notifications flow, and how long one check vouches for */
const BEAT_MS = 250
const FRESH_MS = 1000

// the response time inside a kept body: overwritten with the time of each answer
const STAMP_MARK = Buffer.from('"last update of RDAP database","eventDate":"')

interface KeptBody {
  readonly baseUrl: string
  /** what it was compressed against */
  readonly dictionary: Buffer
  /** the deflated body, its bytes as a one-byte string: compact on the heap, no buffer of its own */
  readonly deflated: string
  readonly stampAt: number
}

/** a body lately served, whole, and the second whose time it carries */
interface HotBody {
  readonly kept: KeptBody
  readonly body: Buffer
  readonly second: number
}

// the most served bodies are kept whole too: most hits then inflate nothing (about 9 MB)
const HOT_BODIES = 1000
// a body enters them when its name was inflated again within about this many inflations: taking
// every inflated body in pushed a popular one out at each hit on a rarer name, and the 9 KB
// buffers so dropped in the old generation set off a mark-compact several times a second
const HOT_CANDIDATES = 2 * HOT_BODIES

export async function startAnswerCache(o: AnswerCacheOptions): Promise<AnswerCache> {
  const ttl = o.ttlMs ? { ttl: o.ttlMs } : {}
  const decided = new LRUCache<string, Disclosure>({ max: Math.ceil(o.max / 100), ...ttl })
  const bodies = new LRUCache<string, KeptBody>({ max: o.max, ...ttl })
  const hot = new LRUCache<string, HotBody>({ max: Math.min(HOT_BODIES, o.max) })
  const inflatedLately = new LRUCache<string, true>({ max: HOT_CANDIDATES })
  const asked = new LRUCache<string, true>({ max: o.max }) // names missed once lately
  // a body compresses against the first body kept under its base URL: a server has one or a few
  // (PUBLIC_BASE_URL, or its Host headers), and a few more come and go
  const dictionaries = new LRUCache<string, Buffer>({ max: 8 })
  let generation = 0
  let live = false
  let closed = false
  let stop: (() => Promise<void>) | undefined
  let retry: NodeJS.Timeout | undefined

  const me = randomBytes(6).toString('hex')
  let beat = 0
  const sent = new Map<number, number>() // beats on their way: number → when sent
  let freshUntil = 0 // serve nothing after this time (performance.now())

  const forget = () => {
    generation++
    decided.clear()
    bodies.clear()
    hot.clear()
  }
  const heard = (payload: string) => {
    if (payload.startsWith('beat:')) {
      const [, from, n] = payload.split(':')
      const at = from === me ? sent.get(Number(n)) : undefined
      if (at !== undefined) freshUntil = Math.max(freshUntil, at + FRESH_MS)
      return
    }
    generation++
    o.metrics?.cache('invalidation')
    if (payload === '*' || payload === '') {
      decided.clear()
      bodies.clear()
      hot.clear()
    } else
      for (const name of payload.split(',')) {
        decided.delete(name)
        bodies.delete(name)
        hot.delete(name)
      }
  }
  const sendBeat = () => {
    const now = performance.now()
    for (const [n, at] of sent) if (now - at > FRESH_MS) sent.delete(n)
    const n = ++beat
    sent.set(n, now)
    o.db
      .query('select pg_notify($1, $2)', [CHANGES_CHANNEL, `beat:${me}:${n}`])
      .catch(() => sent.delete(n)) // the database is away: the cache goes stale, then silent
  }
  const beats = setInterval(sendBeat, BEAT_MS).unref()
  const connect = async () => {
    try {
      stop = await o.db.listen(CHANGES_CHANNEL, heard, (err) => {
        // notifications may have been missed: forget everything, serve nothing until back
        live = false
        forget()
        o.log.warn(
          { err: { message: err.message } },
          'change notifications lost; cache off until back',
        )
        if (!closed) retry = setTimeout(() => void connect(), 1000)
      })
      forget()
      live = true
      // everything committed before now will be heard: fresh for a second, then by the beats
      freshUntil = performance.now() + FRESH_MS
      sendBeat()
    } catch (err) {
      o.log.warn({ err: { message: (err as Error).message } }, 'change notifications unavailable')
      if (!closed) retry = setTimeout(() => void connect(), 1000)
    }
  }
  const fresh = () => live && performance.now() < freshUntil
  await connect()
  return {
    get(name) {
      if (!fresh()) return undefined
      const hit = decided.get(name)
      o.metrics?.cache(hit ? 'hit' : 'miss')
      return hit
    },
    generation: () => generation,
    set(name, seen, disclosure) {
      if (live && seen === generation && disclosure.audience === 'public')
        decided.set(name, disclosure)
    },
    body(name, baseUrl, now) {
      if (!fresh()) return undefined
      const kept = bodies.get(name)
      const hit = kept?.baseUrl === baseUrl
      o.metrics?.cache(hit ? 'hit' : 'miss')
      if (!kept || !hit) return undefined
      const second = Math.floor(now.getTime() / 1000)
      const last = hot.get(name)
      if (last?.kept === kept && last.second === second) return last.body
      // a new buffer, never one written to before: a socket may still be sending the last one
      let body: Buffer
      try {
        body =
          last?.kept === kept
            ? Buffer.from(last.body)
            : inflateRawSync(Buffer.from(kept.deflated, 'latin1'), { dictionary: kept.dictionary })
      } catch (err) {
        // never expected; the app answers instead, and the entry goes
        o.log.error({ err: { message: (err as Error).message } }, 'a kept body did not inflate')
        bodies.delete(name)
        return undefined
      }
      body.write(utcSeconds(now), kept.stampAt, 'latin1')
      if (last?.kept === kept || inflatedLately.delete(name)) hot.set(name, { kept, body, second })
      else inflatedLately.set(name, true)
      return body
    },
    keepBody(name, seen, baseUrl, text) {
      if (!live || seen !== generation) return
      // a name is kept the second time it is missed: most names are asked once, and keeping each
      // would cost its compression and push out a name asked again
      if (!asked.delete(name)) {
        asked.set(name, true)
        return
      }
      const body = Buffer.from(text)
      const mark = body.lastIndexOf(STAMP_MARK)
      if (mark === -1) return
      let dictionary = dictionaries.get(baseUrl)
      if (!dictionary) {
        dictionary = body
        dictionaries.set(baseUrl, dictionary)
      }
      bodies.set(name, {
        baseUrl,
        dictionary,
        deflated: deflateRawSync(body, { dictionary, level: 3 }).toString('latin1'),
        stampAt: mark + STAMP_MARK.length,
      })
    },
    async close() {
      closed = true
      clearTimeout(retry)
      clearInterval(beats)
      live = false
      await stop?.()
    },
  }
}
