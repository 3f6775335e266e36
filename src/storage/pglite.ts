import { DatabaseError } from '../errors.js'
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
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm')
  const pglite = await PGlite.create(dir ?? 'memory://', { extensions: { pg_trgm } })
  if (options.schema) {
    await pglite.exec(
      `create schema if not exists ${options.schema}; set search_path to ${options.schema}`,
    )
  }
  log.debug({ dir: dir ?? 'memory' }, 'embedded database open')
  const wrap = (target: Pick<typeof pglite, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, params?: readonly unknown[]) {
      try {
        return (await target.query<Row>(sql, params as unknown[] | undefined)).rows
      } catch (err) {
        throw new DatabaseError(err)
      }
    },
    async exec(sqlText: string) {
      try {
        await target.exec(sqlText)
      } catch (err) {
        throw new DatabaseError(err)
      }
    },
  })
  return {
    engine: 'pglite',
    ...wrap(pglite),
    async transaction(fn) {
      // what fn throws passes as it is; a failure of the transaction itself is the database's
      let thrown: { err: unknown } | undefined
      try {
        return await pglite.transaction(async (tx) => {
          try {
            return await fn(wrap(tx))
          } catch (err) {
            thrown = { err }
            throw err
          }
        })
      } catch (err) {
        throw thrown ? thrown.err : new DatabaseError(err)
      }
    },
    async listen(channel, onMessage) {
      // one process: its notifications cannot be lost on the way
      const stop = await pglite.listen(channel, onMessage)
      return async () => {
        if (!pglite.closed) await stop()
      }
    },
    async close() {
      if (!pglite.closed) await pglite.close()
    },
  }
}
