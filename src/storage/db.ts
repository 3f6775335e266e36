import type { Config } from '../config.js'
import type { Logger } from '../log.js'
import { migrate } from './migrate.js'

/** what can run SQL: the database itself or one transaction on it */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>
  /** multi-statement SQL without parameters, for migrations and seeds */
  exec(sqlText: string): Promise<void>
}

/** the whole database surface the app uses; node-postgres and PGlite both implement it */
export interface Db extends Queryable {
  readonly engine: 'pg' | 'pglite'
  /** runs fn in one transaction: committed when it resolves, rolled back when it throws */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
  /**
   * Listens on a notification channel (LISTEN/NOTIFY) on a connection of its own: `lost` is called
   * when that connection fails (notifications may have been missed). Resolves to stop listening.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    lost: (err: Error) => void,
  ): Promise<() => Promise<void>>
  /** the pool's connections and the queries failed so far (PostgreSQL; none for the embedded one) */
  stats?(): { total: number; idle: number; waiting: number; errors: number }
}

export interface Databases {
  /** writes (audit rows, accreditations, seeds) and, without a replica, everything */
  readonly primary: Db
  /** lookups; the read replica when DATABASE_READ_URL is set */
  readonly reader: Db
  /**
   * searches: on PostgreSQL connections of their own (the reader's server), with their own statement
   * timeout, so that searches, however many and however slow, never hold a lookup's connection
   */
  readonly search: Db
  close(): Promise<void>
}

export interface OpenOptions {
  /** a schema to work in (each test file on the pg lane gets its own) */
  readonly schema?: string
  /** how long a query may take before it fails (DATABASE_TIMEOUT_MS) */
  readonly timeoutMs?: number
  /** connections in the pool (PostgreSQL); default DATABASE_POOL_SIZE */
  readonly poolSize?: number
}

/** opens node-postgres when DATABASE_URL is set, else PGlite; applies migrations */
export async function openDatabases(
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_READ_URL' | 'PGLITE_DIR'> & {
    readonly DATABASE_TIMEOUT_MS?: number
    readonly SEARCH_TIMEOUT_MS?: number
    readonly SEARCH_POOL_SIZE?: number
  },
  log: Logger,
  openOptions: OpenOptions = {},
): Promise<Databases> {
  const options =
    config.DATABASE_TIMEOUT_MS !== undefined
      ? { timeoutMs: config.DATABASE_TIMEOUT_MS, ...openOptions }
      : openOptions
  let primary: Db
  if (config.DATABASE_URL && options.timeoutMs !== 0) {
    // a migration may take longer than any query should: it runs on a connection of its own
    const migrating = await openDb(config, log, { ...options, timeoutMs: 0 })
    try {
      await migrate(migrating, log)
    } finally {
      await migrating.close()
    }
    primary = await openDb(config, log, options)
  } else {
    primary = await openDb(config, log, options)
    try {
      await migrate(primary, log)
    } catch (err) {
      await primary.close()
      throw err
    }
  }
  let reader = primary
  let search = primary
  const readUrl = config.DATABASE_READ_URL ?? config.DATABASE_URL
  if (readUrl) {
    const { openPg } = await import('./pg.js')
    if (config.DATABASE_READ_URL) reader = await openPg(readUrl, log, options)
    const searchTimeout = config.SEARCH_TIMEOUT_MS || options.timeoutMs
    search = await openPg(readUrl, log, {
      ...options,
      ...(searchTimeout !== undefined ? { timeoutMs: searchTimeout } : {}),
      poolSize: config.SEARCH_POOL_SIZE ?? 4,
    })
  }
  return {
    primary,
    reader,
    search,
    async close() {
      if (search !== primary) await search.close()
      if (reader !== primary) await reader.close()
      await primary.close()
    },
  }
}

async function openDb(
  config: Pick<Config, 'DATABASE_URL' | 'PGLITE_DIR'>,
  log: Logger,
  options: OpenOptions,
): Promise<Db> {
  if (config.DATABASE_URL) {
    const { openPg } = await import('./pg.js')
    return openPg(config.DATABASE_URL, log, options)
  }
  const { openPglite } = await import('./pglite.js')
  return openPglite(config.PGLITE_DIR, log, options)
}
