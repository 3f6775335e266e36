import { join } from 'node:path'
import { z } from 'zod'
import { StartupError } from './errors.js'

const postgresUrl = z
  .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
  .optional()
const port = z.coerce.number().int().min(0).max(65535)
const budget = z
  .string()
  .regex(/^(0|[1-9]\d*\/[1-9]\d*)$/, 'must be COUNT/SECONDS (e.g. 120/60) or 0')

const hourDay = z.string().regex(/^\d+,\d+$/, 'must be PER_HOUR,PER_DAY (e.g. 5,20)')

const Env = z
  .object({
    DATABASE_URL: postgresUrl.describe('Postgres server; unset: embedded PGlite'),
    DATABASE_READ_URL: postgresUrl.describe('read replica for lookups (needs DATABASE_URL)'),
    PGLITE_DIR: z
      .string()
      .min(1)
      .optional()
      .describe('folder for the embedded database; unset: memory'),
    DATABASE_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(5000)
      .describe('longest a query may take before the request answers 503; 0: no limit'),
    DATA_DIR: z.string().min(1).default('data').describe('local secrets and demo keys'),
    DEMO: z
      .enum(['true', 'false'])
      .optional()
      .describe('the demo registry and token issuer; unset: on for the embedded database only'),
    HOST: z.string().min(1).default('127.0.0.1'),
    HTTP_PORT: port.default(8080),
    WHOIS_PORT: port.default(4343),
    WHOIS_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(1024),
    WHOIS_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(32),
    WHOIS_MAX_CONNECTIONS_PER_NETWORK: z.coerce
      .number()
      .int()
      .min(1)
      .default(128)
      .describe('open port-43 connections from one IPv4 /24 or IPv6 /48'),
    PUBLIC_BASE_URL: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('RDAP base URL as clients see it'),
    PORT43_HOST: z.string().min(1).optional().describe('WHOIS host name announced in RDAP port43'),
    TERMS_URL: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("the terms of service RDAP links to; unset: the server's own /terms page"),
    POLICY: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a policy file name')
      .default('calzone'),
    POLICIES_DIR: z.string().min(1).default('policies'),
    ANONYMIZE_SECRET: z.string().min(16).optional().describe('HMAC key for anonymized e-mail'),
    ISSUERS_FILE: z.string().min(1).optional().describe('trusted token issuers (YAML)'),
    AUDIT_CHECKPOINT_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .default(60)
      .describe('how often the audit log head is checkpointed; 0: only at shutdown'),
    AUDIT_CHECKPOINT_FILE: z
      .string()
      .min(1)
      .optional()
      .describe('where checkpoints are appended; unset: DATA_DIR/audit-checkpoints.jsonl'),
    AUDIT_CHECKPOINT_KEY: z
      .string()
      .min(1)
      .optional()
      .describe('Ed25519 private key (PEM) signing checkpoints; unset: generated in DATA_DIR'),
    RATE_LIMIT_PUBLIC: budget
      .default('120/60')
      .describe('queries per seconds for each address (IPv6: /64), RDAP and WHOIS; 0: off'),
    RATE_LIMIT_AUTHENTICATED: budget
      .default('1200/60')
      .describe('queries per seconds for each token subject or registrar; 0: off'),
    RATE_LIMIT_EXEMPT: z
      .string()
      .regex(
        /^[0-9a-fA-F:.\/]+(,\s*[0-9a-fA-F:.\/]+)*$/,
        'a comma-separated list of addresses or CIDRs',
      )
      .optional()
      .describe('addresses or networks never limited (monitoring, load tests)'),
    REDIS_URL: z
      .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
      .optional()
      .describe('shares rate limits across processes and hosts'),
    TRUST_PROXY: z
      .string()
      .min(1)
      .optional()
      .describe("proxies whose X-Forwarded-For names the client (express's trust proxy)"),
    SEARCH_PAGE_SIZE_PUBLIC: z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe('search results a page holds for anonymous queries (RFC 8977)'),
    SEARCH_PAGE_SIZE_AUTHENTICATED: z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(50)
      .describe('search results a page holds for registrars and accredited requesters'),
    SEARCH_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(2000)
      .describe('longest a search may run on the database; 0: DATABASE_TIMEOUT_MS'),
    SEARCH_POOL_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(4)
      .describe('connections for searches, apart from those of lookups (PostgreSQL)'),
    WORKERS: z
      .string()
      .regex(/^(auto|[1-9]\d{0,2})$/, 'must be a number of processes or auto')
      .default('1')
      .describe('server processes sharing the ports (node cluster); auto: one per core'),
    CACHE_ENTRIES: z.coerce
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('public domain answers kept in memory (a second at most); 0: no cache'),
    METRICS_PORT: port
      .optional()
      .describe('Prometheus metrics at http://HOST:METRICS_PORT/metrics; unset: off'),
    CONTACT_SMTP_PORT: port
      .optional()
      .describe('SMTP listener of the contact relay; unset: 2525 where the demo is on, else off'),
    SMTP_RELAY_URL: z
      .url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' })
      .optional()
      .describe('outbound relay for relayed mail; unset: messages wait in the outbox'),
    CONTACT_FROM: z
      .email()
      .optional()
      .describe("the relay's sender address; unset: relay@ the anonymized addresses' domain"),
    CONTACT_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    CONTACT_GIVE_UP_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(172_800)
      .describe('how long a message is retried before its sender is told it failed'),
    CONTACT_RETRY_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(60)
      .describe(
        'the first retry of a relay that failed; each later waits twice as long (at most 1 h)',
      ),
    CONTACT_SENDER_LIMITS: hourDay
      .default('5,20')
      .describe('messages per hour,per day from one sender'),
    CONTACT_RECIPIENT_LIMITS: hourDay
      .default('10,50')
      .describe('messages per hour,per day to one contact of one domain'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.WORKERS !== '1' && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKERS'],
        message: 'more than one process needs DATABASE_URL (the embedded database has one owner)',
      })
    }
    if (env.DATABASE_READ_URL && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_READ_URL'], message: 'needs DATABASE_URL' })
    }
  })

export type Config = Readonly<z.infer<typeof Env>>

/** parses the environment once; a bad value is a StartupError naming the variable */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  )
  const parsed = Env.safeParse(present)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw new StartupError(`invalid configuration: ${lines.join('; ')}`)
  }
  return Object.freeze(parsed.data)
}

/** whether the demo registry and the demo token issuer are on: DEMO, else the embedded default */
export function demoEnabled(config: Pick<Config, 'DEMO' | 'DATABASE_URL'>): boolean {
  return config.DEMO ? config.DEMO === 'true' : !config.DATABASE_URL
}

/** the file audit checkpoints are appended to */
export function checkpointsFile(
  config: Pick<Config, 'AUDIT_CHECKPOINT_FILE' | 'DATA_DIR'>,
): string {
  return config.AUDIT_CHECKPOINT_FILE ?? join(config.DATA_DIR, 'audit-checkpoints.jsonl')
}

/** the RDAP base URL (ending in /) that links and notices use */
export function rdapBaseUrl(config: Config): string {
  const base = config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.HTTP_PORT}/rdap/`
  return base.endsWith('/') ? base : `${base}/`
}
