import { readFile } from 'node:fs/promises'
import { recordLoad } from '../ingest/apply.js'
import type { Db } from '../storage/db.js'
import { SQL_DIR } from '../storage/migrate.js'

/**
 * Loads the demo registry (sql/seed/demo.sql) into a database that has no domains and never had a
 * deposit imported; true if it did. The load is recorded, so the first FULL import replaces it.
 */
export async function seedDemoIfEmpty(db: Db): Promise<boolean> {
  const [row] = await db.query<{ empty: boolean }>(
    `select not exists (select 1 from domains)
        and not exists (select 1 from registry_loads where kind <> 'demo') as empty`,
  )
  if (!row?.empty) return false
  const sql = await readFile(new URL('seed/demo.sql', SQL_DIR), 'utf8')
  await db.transaction(async (tx) => {
    await tx.exec(sql)
    await recordLoad(tx, { kind: 'demo' })
  })
  return true
}
