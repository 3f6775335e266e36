import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import {
  formatHistogram,
  mergeHistograms,
  parseHistogram,
  percentile,
  type Histogram,
} from '../../bench/latency.js'

const histogramOf = (values: readonly number[]): Histogram => {
  const h = new Map<number, number>()
  for (const v of values) h.set(v, (h.get(v) ?? 0) + 1)
  return h
}

/** the percentile straight from the sorted values, ranked as wrk ranks them */
const fromSorted = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.round(q * sorted.length + 0.5))
  return sorted[rank - 1]!
}

describe('latency histograms', () => {
  test('merged rounds give the percentiles of all their requests', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 200 }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (rounds, q) => {
          const merged = mergeHistograms(rounds.map(histogramOf))
          expect(percentile(merged, q)).toBe(fromSorted(rounds.flat(), q))
        },
      ),
    )
  })

  test("a case's p99 is not its worst round's", () => {
    // a slow round of few requests beside a fast round of many
    const fast = histogramOf([...Array(990).fill(5_000), ...Array(10).fill(9_000)])
    const slow = histogramOf([...Array(90).fill(6_000), ...Array(10).fill(40_000)])
    expect(percentile(slow, 0.99)).toBe(40_000)
    expect(percentile(mergeHistograms([fast, slow]), 0.99)).toBe(9_000)
  })

  test('text round trip, and bad entries refused', () => {
    const h = histogramOf([3, 3, 7, 1_000_000])
    expect(parseHistogram(formatHistogram(h))).toEqual(h)
    expect(parseHistogram('')).toEqual(new Map())
    expect(percentile(new Map(), 0.99)).toBe(0)
    expect(() => parseHistogram('12:x')).toThrow(/not a histogram entry/)
    expect(() => parseHistogram('1.5:2')).toThrow(/not a histogram entry/)
  })
})
