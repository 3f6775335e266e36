import { BlockList, isIPv6 } from 'node:net'
import { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import type { Logger } from '../log.js'
import { clientKey, plainAddress } from './addresses.js'

/** how many queries in how many seconds; undefined: no limit */
export interface Budget {
  readonly count: number
  readonly seconds: number
}

/** who spends a budget: the public by address, an authenticated viewer by its subject */
export type Spender =
  | { readonly tier: 'public'; readonly address: string }
  | { readonly tier: 'authenticated'; readonly subject: string }

export interface RateLimits {
  /** takes one query from the spender's budget: undefined if allowed, else seconds to wait */
  take(spender: Spender): Promise<number | undefined>
  /** whether this address is never limited (RATE_LIMIT_EXEMPT) */
  exempt(address: string): boolean
  /** the budget of a tier, for `help` */
  budget(tier: Spender['tier']): Budget | undefined
  /** queries refused so far, for monitoring */
  readonly refused: number
  close(): Promise<void>
}

export interface RateLimitConfig {
  readonly RATE_LIMIT_PUBLIC: string
  readonly RATE_LIMIT_AUTHENTICATED: string
  readonly RATE_LIMIT_EXEMPT?: string | undefined
  readonly REDIS_URL?: string | undefined
}

/** 'COUNT/SECONDS' (e.g. '120/60'), or '0' for no limit */
export function parseBudget(text: string): Budget | undefined {
  if (text.trim() === '0') return undefined
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
    throw new Error(`"${text}" is not COUNT/SECONDS (e.g. 120/60) or 0`)
  return { count: Number(m[1]), seconds: Number(m[2]) }
}

/**
 * Query budgets by tier (the Calzone model lets a registry limit queries against harvesting): in
 * process memory, or with REDIS_URL shared by every process and host. While Redis cannot be
 * reached each process keeps its own count, never refusing service for it, and goes back to Redis
 * by itself when it answers again.
 */
export function createRateLimits(config: RateLimitConfig, log: Logger): RateLimits {
  const budgets = {
    public: parseBudget(config.RATE_LIMIT_PUBLIC),
    authenticated: parseBudget(config.RATE_LIMIT_AUTHENTICATED),
  }
  const exempt = exemptList(config.RATE_LIMIT_EXEMPT)
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, log) : undefined
  const limiter = (tier: Spender['tier']) => {
    const b = budgets[tier]
    if (!b) return undefined
    const options = { keyPrefix: `rdds-${tier}`, points: b.count, duration: b.seconds }
    const memory = new RateLimiterMemory(options)
    if (!redis) return memory
    return new RateLimiterRedis({
      ...options,
      storeClient: redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    })
  }
  const limiters = { public: limiter('public'), authenticated: limiter('authenticated') }
  let refused = 0
  return {
    async take(spender) {
      const l = limiters[spender.tier]
      if (!l) return undefined
      const key = spender.tier === 'public' ? clientKey(spender.address) : spender.subject
      try {
        await l.consume(key)
        return undefined
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) {
          // neither Redis nor memory could count: serve rather than refuse for our own fault
          log.warn({ err: { message: (res as Error)?.message } }, 'rate limit not checked')
          return undefined
        }
        refused++
        const wait = Math.max(1, Math.ceil(res.msBeforeNext / 1000))
        log.info({ tier: spender.tier, key, retryAfter: wait }, 'rate limited')
        return wait
      }
    },
    exempt: exemptCheck(exempt),
    budget: (tier) => budgets[tier],
    get refused() {
      return refused
    },
    async close() {
      redis?.disconnect()
    },
  }
}

/** whether an address is exempt; the answer for the addresses seen last is kept (a few, checked often) */
function exemptCheck(list: BlockList | undefined): (address: string) => boolean {
  if (!list) return () => false
  const seen = new Map<string, boolean>()
  return (address) => {
    let answer = seen.get(address)
    if (answer === undefined) {
      const a = plainAddress(address)
      answer = list.check(a, isIPv6(a) ? 'ipv6' : 'ipv4')
      if (seen.size >= 10_000) seen.clear()
      seen.set(address, answer)
    }
    return answer
  }
}

function exemptList(text: string | undefined): BlockList | undefined {
  if (!text?.trim()) return undefined
  const list = new BlockList()
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address = '', prefix] = entry.split('/')
    const type = isIPv6(address) ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(prefix), type)
  }
  return list
}

function connectRedis(url: string, log: Logger): Redis {
  // no queue while disconnected: a count that cannot be made now is made in memory instead
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  })
  let down = false
  const lost = (why: string) => {
    if (down) return
    down = true
    log.warn({ why }, 'Redis unavailable: rate limits are counted per process until it is back')
  }
  redis.on('error', (err: Error) => lost(err.message))
  redis.on('close', () => lost('connection closed'))
  redis.on('ready', () => {
    if (!down) return
    down = false
    log.info('Redis is back: rate limits are shared again')
  })
  return redis
}
