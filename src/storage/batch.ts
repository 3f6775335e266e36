import type { Queryable } from './db.js'

export interface BatchOptions {
  readonly maxKeys?: number
  readonly maxInFlight?: number
  /** how long a batch gathers keys under load, in ms; 0: never */
  readonly gatherMs?: number
  /** a batcher that was asked for a key while another was still out this recently (ms) is busy */
  readonly busyMs?: number
  /** a gathering batch goes as soon as it has this many keys; a batcher whose last batch had as
   *  many does not gather */
  readonly gatherKeys?: number
}

/**
 * A DataLoader-style batcher: keys asked for in the same turn of the event loop are fetched with
 * one query, and each caller gets its own answer. While `maxInFlight` queries are out, new keys wait
 * and go together in the next one, so batches grow with load instead of queries piling up.
 * Under concurrent load (a key was asked for while another was still out, less than `busyMs` ago)
 * a batcher whose last query carried fewer than `gatherKeys` keys gathers the next batch for up to
 * `gatherMs`, or until it has `gatherKeys`: one-query-per-connection WHOIS otherwise sent batches of
 * two or three keys, and each query costs both processes more than its rows do. Where batches come
 * big by themselves (RDAP on kept-alive connections) waiting would only add latency; an idle
 * batcher, or one serving a lone client asking one key after another, never waits.
 * Nothing is cached: every answer is read when it is asked for.
 */
export function createBatcher<T>(
  fetch: (keys: readonly string[]) => Promise<Map<string, T>>,
  options: BatchOptions = {},
) {
  const maxKeys = options.maxKeys ?? 64
  const maxInFlight = options.maxInFlight ?? 1
  const gatherMs = options.gatherMs ?? 2
  const busyMs = options.busyMs ?? 5
  const gatherKeys = options.gatherKeys ?? 8
  type Waiter = { resolve: (v: T | undefined) => void; reject: (e: unknown) => void }
  let pending = new Map<string, Waiter[]>()
  let scheduled = false
  let gathering: NodeJS.Timeout | undefined
  let inFlight = 0
  let lastOverlapAt = -Infinity
  let lastBatchSize = 0

  const flush = () => {
    scheduled = false
    clearTimeout(gathering)
    gathering = undefined
    while (pending.size > 0 && inFlight < maxInFlight) {
      const keys = [...pending.keys()].slice(0, maxKeys)
      lastBatchSize = keys.length
      const batch = new Map(keys.map((k) => [k, pending.get(k)!]))
      for (const k of keys) pending.delete(k)
      inFlight++
      fetch(keys)
        .then(
          (found) =>
            batch.forEach((waiters, key) => waiters.forEach((w) => w.resolve(found.get(key)))),
          (err: unknown) => batch.forEach((waiters) => waiters.forEach((w) => w.reject(err))),
        )
        .finally(() => {
          inFlight--
          if (pending.size > 0 && !scheduled) flush()
        })
    }
  }

  return (key: string): Promise<T | undefined> =>
    new Promise((resolve, reject) => {
      // concurrent lookups, not merely frequent ones: a lone client asking one name after
      // another has nothing to share a query with, and must not wait
      if (inFlight > 0 || pending.size > 0) lastOverlapAt = performance.now()
      const waiters = pending.get(key)
      if (waiters) waiters.push({ resolve, reject })
      else pending.set(key, [{ resolve, reject }])
      if (gathering && pending.size >= gatherKeys) {
        // enough to be worth a query: it goes on the next turn, with the rest of this one's keys
        clearTimeout(gathering)
        gathering = undefined
        setImmediate(flush)
      } else if (!scheduled && inFlight < maxInFlight) {
        scheduled = true
        if (
          gatherMs > 0 &&
          lastBatchSize < gatherKeys &&
          performance.now() - lastOverlapAt < busyMs
        )
          gathering = setTimeout(flush, gatherMs)
        else setImmediate(flush)
      }
    })
}

/**
 * A batched lookup per database handle: `(db, key)` joins the batch for that handle (pool, replica
 * or transaction), created on first use and dropped with the handle.
 */
export function batchedPerDb<T>(
  fetch: (db: Queryable, keys: readonly string[]) => Promise<Map<string, T>>,
  options?: BatchOptions,
): (db: Queryable, key: string) => Promise<T | undefined> {
  const batchers = new WeakMap<Queryable, (key: string) => Promise<T | undefined>>()
  return (db, key) => {
    let batcher = batchers.get(db)
    if (!batcher) {
      batcher = createBatcher((keys) => fetch(db, keys), options)
      batchers.set(db, batcher)
    }
    return batcher(key)
  }
}
