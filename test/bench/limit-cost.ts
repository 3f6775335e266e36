import { createRateLimits } from '../../src/limits/rate-limits.js'
import { createLogger } from '../../src/log.js'

/**
 * The rate limit's own cost a query, in memory, at the default budgets: the exemption check every
 * request pays (here for the load generators' one address), and the check that takes a query from a budget (a new address each time, as a
 * crowd of clients would, and one address again and again). Microseconds a call, best of 5.
 */
export async function limitCheckCost(): Promise<Record<string, number>> {
  const limits = createRateLimits(
    {
      RATE_LIMIT_PUBLIC: '120/60',
      RATE_LIMIT_AUTHENTICATED: '1200/60',
      RATE_LIMIT_EXEMPT: '10.0.0.0/8',
    },
    createLogger({ LOG_LEVEL: 'silent' }),
  )
  const N = 50_000
  const best = async (f: (i: number) => unknown) => {
    let min = Infinity
    for (let round = 0; round < 5; round++) {
      const started = process.hrtime.bigint()
      for (let i = 0; i < N; i++) await f(round * N + i)
      min = Math.min(min, Number(process.hrtime.bigint() - started) / N / 1000)
    }
    return Math.round(min * 100) / 100
  }
  const address = (i: number) => `198.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
  const result = {
    exempt_check_us: await best(() => limits.exempt('127.0.0.1')),
    take_new_address_us: await best((i) => limits.take({ tier: 'public', address: address(i) })),
    take_same_subject_us: await best(() => limits.take({ tier: 'authenticated', subject: 'x' })),
  }
  await limits.close()
  return result
}
