// Latency histograms: whole microseconds → how many requests took that long. A case runs in rounds,
// and its percentiles are those of all its requests, so rounds are merged as histograms; a mean or
// a maximum of the rounds' percentiles is a different figure.

export type Histogram = ReadonlyMap<number, number>

/** `value:count,value:count,...` (what random-path.lua and whois-load.c print) */
export function parseHistogram(text: string): Histogram {
  const histogram = new Map<number, number>()
  for (const pair of text.split(',')) {
    if (pair === '') continue
    const [value, count] = pair.split(':').map(Number)
    if (!Number.isInteger(value) || !Number.isInteger(count) || count! < 0)
      throw new Error(`not a histogram entry: ${pair}`)
    histogram.set(value!, (histogram.get(value!) ?? 0) + count!)
  }
  return histogram
}

export function formatHistogram(histogram: Histogram): string {
  return [...histogram].map(([value, count]) => `${value}:${count}`).join(',')
}

export function mergeHistograms(histograms: readonly Histogram[]): Histogram {
  const merged = new Map<number, number>()
  for (const h of histograms)
    for (const [value, count] of h) merged.set(value, (merged.get(value) ?? 0) + count)
  return merged
}

/**
 * The smallest value at or below which a share `q` (0 < q ≤ 1) of the requests fall, ranked as wrk
 * ranks them (rank = round(q · n + 0.5)); 0 for an empty histogram.
 */
export function percentile(histogram: Histogram, q: number): number {
  const values = [...histogram.keys()].sort((a, b) => a - b)
  let total = 0
  for (const count of histogram.values()) total += count
  if (total === 0) return 0
  const rank = Math.min(total, Math.round(q * total + 0.5))
  let seen = 0
  for (const value of values) {
    seen += histogram.get(value)!
    if (seen >= rank) return value
  }
  return values.at(-1)!
}
