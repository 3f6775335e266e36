import type { Express } from 'express'
import type { Logger } from 'pino'
import { createAuditLog, type AuditLog } from '../../src/audit/disclosures.js'
import { addAccreditation } from '../../src/auth/accreditations.js'
import { buildIssuers, type Issuer } from '../../src/auth/issuers.js'
import type { RateLimits } from '../../src/limits/rate-limits.js'
import { createOperatorVerifier } from '../../src/auth/operator-tokens.js'
import { createVerifier } from '../../src/auth/tokens.js'
import type { AddressInfo } from 'node:net'
import { createApp } from '../../src/http/app.js'
import { cachedLookups } from '../../src/http/cached-lookups.js'
import { httpServerFor } from '../../src/http/node-server.js'
import { loadPolicy, type Policy } from '../../src/policy/load.js'
import type { SiteConfig } from '../../src/http/respond.js'
import { cursorSeal } from '../../src/search/cursor.js'
import type { SearchLimits } from '../../src/search/search.js'
import type { Db } from '../../src/storage/db.js'
import type { ContactRelay } from '../../src/contact/relay.js'
import type { Metrics } from '../../src/metrics.js'
import type { AnswerCache } from '../../src/answer-cache.js'
import { openTestDb, silentLog, type TestDb } from './db.js'
import { makeKey, signToken, writeJwksFile } from './tokens.js'

export const TEST_SECRET = 'test-secret-for-anonymized-addresses'
export const TEST_SITE = {
  publicBaseUrl: 'https://rdap.nic.example/rdap/',
  termsUrl: 'https://www.nic.example/rdds-terms',
  port43: 'whois.nic.example',
}

/** small pages, so that a test walks several with the demo data */
export const TEST_SEARCH_LIMITS: SearchLimits = {
  publicPageSize: 2,
  authenticatedPageSize: 3,
  countCap: 10_000,
}

/** what an app needs for searches beside its lookups, on `searchDb` */
export function searchParts(searchDb: Db, limits: Partial<SearchLimits> = {}) {
  return {
    searchDb,
    cursors: cursorSeal(TEST_SECRET),
    searchLimits: { ...TEST_SEARCH_LIMITS, ...limits },
  }
}

export interface TestApp {
  readonly app: Express
  /** the same app without the answer cache, where one was asked for */
  readonly uncached?: Express
  readonly cache?: AnswerCache
  /** the cached app served as the server serves it (popular names answered before the app) */
  readonly edge?: string
  readonly db: TestDb
  readonly policy: Policy
  close(): Promise<void>
}

export async function loadTestPolicy(name = 'calzone'): Promise<Policy> {
  return loadPolicy(name, { dir: 'policies', secret: TEST_SECRET })
}

/** the HTTP app on a fresh demo database, with the given trusted issuers */
export async function startTestApp(
  options: {
    issuers?: ReadonlyMap<string, Issuer>
    log?: Logger
    policy?: string
    audit?: (base: AuditLog) => AuditLog
    site?: SiteConfig
    limits?: RateLimits
    trustProxy?: string
    searchLimits?: Partial<SearchLimits>
    /** the statement timeout of the search connections (PostgreSQL) */
    searchTimeoutMs?: number
    /** what the app counts */
    metrics?: Metrics
    /** a contact relay on the app's database, whose form the app then serves */
    contact?: (db: TestDb, policy: Policy) => ContactRelay
    /** an answer cache on the app's database; the app without it is then `uncached` */
    cache?: (db: TestDb) => Promise<AnswerCache>
  } = {},
): Promise<TestApp> {
  const db = await openTestDb(
    options.searchTimeoutMs ? { searchTimeoutMs: options.searchTimeoutMs } : {},
  )
  const policy = await loadTestPolicy(options.policy)
  const log = options.log ?? silentLog
  const baseAudit = createAuditLog(db.primary)
  const audit = options.audit ? options.audit(baseAudit) : baseAudit
  const verifyBearer = createVerifier({ issuers: options.issuers ?? new Map(), db: db.primary })
  const contact = options.contact?.(db, policy)
  const cache = await options.cache?.(db)
  const common = {
    ...(contact ? { contact } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    reader: db.reader,
    ...searchParts(db.search, options.searchLimits),
    primary: db.primary,
    policy,
    audit,
    log,
    verifyBearer,
    verifyOperator: createOperatorVerifier(options.issuers ?? new Map()),
    site: options.site ?? TEST_SITE,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
  }
  const app = createApp({ ...common, ...(cache ? { cache } : {}) })
  const edge = cache && httpServerFor(app, cachedLookups({ ...common, cache }))
  if (edge) await new Promise<void>((resolve) => edge.listen(0, '127.0.0.1', resolve))
  return {
    app,
    ...(cache && edge
      ? {
          uncached: createApp(common),
          cache,
          edge: `http://127.0.0.1:${(edge.address() as AddressInfo).port}`,
        }
      : {}),
    db,
    policy,
    close: async () => {
      await contact?.stop()
      edge?.closeAllConnections()
      await new Promise((resolve) => (edge ? edge.close(resolve) : resolve(undefined)))
      await cache?.close()
      await db.close()
    },
  }
}

/**
 * The HTTP app with one trusted law-enforcement issuer and its accreditation 'acc', and a token for
 * it: the usual setup of a test that needs an accredited viewer beside the public.
 */
export async function startAccreditedApp(
  options: Omit<Parameters<typeof startTestApp>[0] & object, 'issuers'> = {},
): Promise<{ t: TestApp; token: string }> {
  const iss = 'https://la.test'
  const key = await makeKey('la-1')
  const issuers = await buildIssuers(
    [
      {
        iss,
        audience: 'rdap',
        jwksFile: await writeJwksFile([key]),
        grants: ['accredited:law-enforcement'],
      },
    ],
    '/',
  )
  const t = await startTestApp({ ...options, issuers })
  await addAccreditation(
    t.db.primary,
    { id: 'acc', holder: 'Police', issuer: iss, purposes: ['law-enforcement'] },
    { operator: 'test', host: 'localhost' },
  )
  const token = await signToken(key, {
    iss,
    aud: 'rdap',
    claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc' },
  })
  return { t, token }
}
