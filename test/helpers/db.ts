import { randomBytes } from 'node:crypto'
import { createLogger } from '../../src/log.js'
import { openDatabases, type Databases } from '../../src/storage/db.js'
import { seedDemoIfEmpty } from '../../src/demo/registry.js'

/** the lane this run tests: the real server when DATABASE_URL is set, else embedded PGlite */
export const ENGINE = process.env.DATABASE_URL ? 'pg' : 'pglite'

export const silentLog = createLogger({ LOG_LEVEL: 'silent' })

export interface TestDb extends Databases {
  readonly schema?: string
}

/**
 * A migrated database with the demo registry: a fresh PGlite, or on the pg lane a schema of its own
 * (so parallel test files never share rows). Close it in afterAll.
 */
export async function openTestDb(
  options: { seed?: boolean; searchTimeoutMs?: number; url?: string } = {},
): Promise<TestDb> {
  const url = options.url ?? process.env.DATABASE_URL
  const schema = url ? `t_${randomBytes(6).toString('hex')}` : undefined
  const dbs = await openDatabases(
    {
      DATABASE_URL: url,
      ...(options.searchTimeoutMs ? { SEARCH_TIMEOUT_MS: options.searchTimeoutMs } : {}),
    },
    silentLog,
    schema ? { schema } : {},
  )
  if (options.seed !== false) await seedDemoIfEmpty(dbs.primary)
  return {
    ...dbs,
    ...(schema ? { schema } : {}),
    async close() {
      if (schema) await dbs.primary.exec(`drop schema ${schema} cascade`).catch(() => undefined)
      await dbs.close()
    },
  }
}
