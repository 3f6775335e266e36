import { readFile } from 'node:fs/promises'
import type { Db } from '../storage/db.js'
import { SQL_DIR } from '../storage/migrate.js'

/** loads the demo registry (sql/seed/demo.sql) when the database has no domains; true if it did */
export async function seedDemoIfEmpty(db: Db): Promise<boolean> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from domains')
  if ((row?.n ?? 0) > 0) return false
  await db.transaction(async (tx) =>
    tx.exec(await readFile(new URL('seed/demo.sql', SQL_DIR), 'utf8')),
  )
  return true
}
