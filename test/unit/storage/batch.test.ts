import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals'
import { createBatcher } from '../../../src/storage/batch.js'

/** a fetch that records each batch of keys and, after `latencyMs`, answers `value-of-<key>` for keys not starting with 'missing' */
function recordingFetch(latencyMs = 0) {
  const batches: string[][] = []
  let failNext = false
  const fetch = async (keys: readonly string[]) => {
    batches.push([...keys])
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs))
    if (failNext) {
      failNext = false
      throw new Error('connection lost')
    }
    return new Map(keys.filter((k) => !k.startsWith('missing')).map((k) => [k, `value-of-${k}`]))
  }
  return { batches, fetch, failOnce: () => (failNext = true) }
}

describe('batched lookups', () => {
  beforeEach(() => {
    // promises must still settle between timers; the clock, setTimeout and setImmediate are fake
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] })
  })
  afterEach(() => {
    jest.useRealTimers()
  })

  test('keys asked in one turn go in one query, and each caller gets its own answer', async () => {
    const { batches, fetch } = recordingFetch()
    const get = createBatcher(fetch)
    const answers = Promise.all([get('a'), get('b'), get('missing-c'), get('a')])
    await jest.advanceTimersByTimeAsync(0)
    expect(await answers).toEqual(['value-of-a', 'value-of-b', undefined, 'value-of-a'])
    expect(batches).toEqual([['a', 'b', 'missing-c']])
  })

  test('a failed query fails the callers of its batch only', async () => {
    const { batches, fetch, failOnce } = recordingFetch()
    const get = createBatcher(fetch)
    failOnce()
    const failed = Promise.allSettled([get('a'), get('b')])
    await jest.advanceTimersByTimeAsync(0)
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected'])
    const later = get('c')
    await jest.advanceTimersByTimeAsync(10)
    expect(await later).toBe('value-of-c')
    expect(batches).toEqual([['a', 'b'], ['c']])
  })

  test('while a query is out, new keys wait and then go together in the next one', async () => {
    const batches: string[][] = []
    let release: () => void = () => undefined
    const get = createBatcher(async (keys) => {
      batches.push([...keys])
      if (batches.length === 1) await new Promise<void>((r) => (release = r))
      return new Map(keys.map((k) => [k, k.toUpperCase()]))
    })
    const first = get('a')
    await jest.advanceTimersByTimeAsync(0)
    const waiting = Promise.all([get('b'), get('c')])
    await jest.advanceTimersByTimeAsync(50)
    expect(batches).toEqual([['a']])
    release()
    expect(await first).toBe('A')
    expect(await waiting).toEqual(['B', 'C'])
    expect(batches).toEqual([['a'], ['b', 'c']])
  })

  test('a lone client asking one key after another never waits for company', async () => {
    const { batches, fetch } = recordingFetch(1)
    const get = createBatcher(fetch, { gatherMs: 2, busyMs: 5 })
    for (const key of ['a', 'b', 'c']) {
      const answer = get(key)
      await jest.advanceTimersByTimeAsync(0)
      expect(batches.at(-1)).toEqual([key]) // sent on the next turn
      await jest.advanceTimersByTimeAsync(1)
      expect(await answer).toBe(`value-of-${key}`)
    }
  })

  test('under concurrent load a batch gathers keys first; once quiet, it no longer waits', async () => {
    const { batches, fetch } = recordingFetch(1)
    const get = createBatcher(fetch, { gatherMs: 2, busyMs: 5 })
    void get('a')
    await jest.advanceTimersByTimeAsync(0)
    void get('b') // asked while 'a' is out: concurrent
    await jest.advanceTimersByTimeAsync(2)
    expect(batches).toEqual([['a'], ['b']])
    // keys asked over the next 2 ms share one query
    void get('c')
    await jest.advanceTimersByTimeAsync(1)
    void get('d')
    expect(batches).toEqual([['a'], ['b']])
    await jest.advanceTimersByTimeAsync(1)
    expect(batches).toEqual([['a'], ['b'], ['c', 'd']])
    // quiet for longer than busyMs: no waiting
    await jest.advanceTimersByTimeAsync(10)
    void get('e')
    await jest.advanceTimersByTimeAsync(0)
    expect(batches.at(-1)).toEqual(['e'])
  })

  test('a gathering batch goes as soon as it has enough keys', async () => {
    const { batches, fetch } = recordingFetch(1)
    const get = createBatcher(fetch, { gatherMs: 2, busyMs: 5, gatherKeys: 3 })
    void get('a')
    await jest.advanceTimersByTimeAsync(0)
    void get('b')
    await jest.advanceTimersByTimeAsync(2)
    void get('c')
    void get('d')
    void get('e')
    void get('f')
    // the third key closed the batch; the fourth, asked in the same turn, still went with it
    await jest.advanceTimersByTimeAsync(0)
    expect(batches).toEqual([['a'], ['b'], ['c', 'd', 'e', 'f']])
  })

  test('a batcher whose batches come big by themselves does not gather', async () => {
    const { batches, fetch } = recordingFetch(1)
    const get = createBatcher(fetch, { gatherMs: 2, busyMs: 5, gatherKeys: 3 })
    void Promise.all(['a', 'b', 'c', 'd'].map(get)) // concurrent, and a batch of four
    await jest.advanceTimersByTimeAsync(2)
    void get('e')
    await jest.advanceTimersByTimeAsync(0)
    expect(batches).toEqual([['a', 'b', 'c', 'd'], ['e']])
  })

  test('with gatherMs 0 a batcher never waits, even under concurrent load', async () => {
    // immediates are real here: a fake clock would run a 0 ms timer as soon as one asked
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] })
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
    const { batches, fetch } = recordingFetch(1)
    const get = createBatcher(fetch, { gatherMs: 0, busyMs: 5 })
    void get('a')
    await nextTurn()
    void get('b') // concurrent
    await jest.advanceTimersByTimeAsync(1)
    await nextTurn()
    await jest.advanceTimersByTimeAsync(1)
    void get('c')
    await nextTurn()
    expect(batches).toEqual([['a'], ['b'], ['c']])
  })
})
