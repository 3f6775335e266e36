import { readdir, readFile } from 'node:fs/promises'
import { StartupError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Db } from './db.js'

// the same two levels up from src/storage and from the built dist/storage
export const SQL_DIR = new URL('../../sql/', import.meta.url)

/**
 * Applies sql/NNN_*.sql in name order, each once, each in its own transaction with its record in
 * schema_migrations. An advisory lock keeps two starting replicas from racing.
 */
export async function migrate(db: Db, log: Logger, dir: URL = SQL_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort()
  try {
    await db.exec(
      'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    )
  } catch (err) {
    // the usual cause is a search_path (DATABASE_URL options) naming a schema that does not exist
    throw new StartupError(`cannot record migrations: ${(err as Error).message}`, { cause: err })
  }
  const applied: string[] = []
  for (const file of files) {
    const text = await readFile(new URL(file, dir), 'utf8')
    const done = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(4343080)')
      const seen = await tx.query('select 1 from schema_migrations where name = $1', [file])
      if (seen.length > 0) return false
      try {
        await tx.exec(text)
      } catch (err) {
        throw new StartupError(`migration ${file} failed: ${(err as Error).message}`, {
          cause: err,
        })
      }
      await tx.query('insert into schema_migrations (name) values ($1)', [file])
      return true
    })
    if (done) applied.push(file)
  }
  if (applied.length) log.info({ applied }, 'migrations applied')
  return applied
}
