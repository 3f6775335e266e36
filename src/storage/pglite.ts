import type { Logger } from '../log.js'
import type { Db, OpenOptions, Queryable } from './db.js'

/**
 * Embedded Postgres (WASM, in process): memory, or a folder that persists. Loaded with a dynamic
 * import so a production process on DATABASE_URL never loads it. One connection: queries queue.
 */
export async function openPglite(
  dir: string | undefined,
  log: Logger,
  options: OpenOptions = {},
): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite')
  const pglite = await PGlite.create(dir ?? 'memory://')
  if (options.schema) {
    await pglite.exec(
      `create schema if not exists ${options.schema}; set search_path to ${options.schema}`,
    )
  }
  log.debug({ dir: dir ?? 'memory' }, 'embedded database open')
  const wrap = (target: Pick<typeof pglite, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, params?: readonly unknown[]) {
      const result = await target.query<Row>(sql, params as unknown[] | undefined)
      return result.rows
    },
    async exec(sqlText: string) {
      await target.exec(sqlText)
    },
  })
  return {
    engine: 'pglite',
    ...wrap(pglite),
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    async close() {
      if (!pglite.closed) await pglite.close()
    },
  }
}
