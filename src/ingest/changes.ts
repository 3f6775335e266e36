import type { RegistryOperator } from '../auth/operator-tokens.js'
import type { Db, Queryable } from '../storage/db.js'
import { conflictOf, missingReferences, writeOne } from './apply.js'
import { KEY_FIELDS } from './rde-read.js'
import { deleteKeyOf, stagedRowOf } from './rows.js'

// One object at a time, pushed as the registry changes it (the ingest API). The same rows and
// upserts as a deposit, in one transaction per change; each change is ordered by the object's own
// last-update time, so a retried or late request never undoes a newer one.

export type ChangeClass = 'domain' | 'host' | 'contact' | 'registrar'

export type ChangeOutcome =
  | { readonly outcome: 'created' | 'updated' | 'unchanged' | 'deleted'; readonly at: string }
  | { readonly outcome: 'stale'; readonly stored: string }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'refused'; readonly problem: string }
  /** the registry's constraints refused the write: a key another object holds, one still in use */
  | { readonly outcome: 'conflict'; readonly problem: string }

/** the table and key column an object is pushed under */
const STORED: Record<ChangeClass, { table: string; key: string }> = {
  domain: { table: 'domains', key: 'ldh_name' },
  host: { table: 'hosts', key: 'ldh_name' },
  contact: { table: 'contacts', key: 'handle' },
  registrar: { table: 'registrars', key: 'handle' },
}

/**
 * In one round trip: the object's lock (one change of an object at a time, whichever process
 * makes it), the stored object's last-update time (its creation when never updated), and when it
 * was last deleted. Few statements matter: under load each waits its turn on a busy server.
 */
async function lockAndRead(
  tx: Queryable,
  kind: ChangeClass,
  key: string,
): Promise<{ stored?: Date; deleted?: Date }> {
  const { table, key: column } = STORED[kind]
  const [row] = await tx.query<{ stored: string | Date | null; deleted: string | Date | null }>(
    `with locked as (select pg_advisory_xact_lock(hashtext($3)))
     select (select coalesce(updated_at, created_at) from ${table} where ${column} = $1) as stored,
            (select updated_at from registry_changes
              where object_class = $2 and object_key = $1 and action = 'delete'
              order by updated_at desc limit 1) as deleted
       from locked`,
    [key, kind, `${kind} ${key}`],
  )
  return {
    ...(row?.stored ? { stored: new Date(row.stored) } : {}),
    ...(row?.deleted ? { deleted: new Date(row.deleted) } : {}),
  }
}

async function logChange(
  tx: Queryable,
  who: RegistryOperator,
  action: 'put' | 'delete',
  kind: ChangeClass,
  key: string,
  at: Date,
) {
  await tx.query(
    `insert into registry_changes (issuer, subject, action, object_class, object_key, updated_at)
     values ($1, $2, $3, $4, $5, $6)`,
    [who.issuer, who.subject, action, kind, key, at.toISOString()],
  )
}

/** one change's transaction; a write the constraints refuse is an answer, not an outage */
function inTransaction(
  db: Db,
  change: (tx: Queryable) => Promise<ChangeOutcome>,
): Promise<ChangeOutcome> {
  return db.transaction(change).catch((err: unknown) => {
    const problem = conflictOf(err)
    if (problem) return { outcome: 'conflict', problem }
    throw err
  })
}

/** the key `path` names, in stored form, or a problem */
export function changeKey(kind: ChangeClass, path: string): string {
  return deleteKeyOf(kind, path)
}

/**
 * Creates or replaces one object, checked like a DIFF deposit's (its references must resolve). An
 * object older than the stored one (by upDate, else crDate), or than its deletion, is stale.
 */
export async function putObject(
  db: Db,
  kind: ChangeClass,
  key: string,
  object: Record<string, unknown>,
  who: RegistryOperator,
): Promise<ChangeOutcome> {
  const { key: bodyKey, row } = stagedRowOf(kind, object)
  if (bodyKey !== key)
    return {
      outcome: 'refused',
      problem: `the body's ${KEY_FIELDS[kind]} (${bodyKey}) is not the one in the path (${key})`,
    }
  const incoming = new Date(String(object.upDate ?? object.crDate))
  return inTransaction(db, async (tx) => {
    const { stored, deleted } = await lockAndRead(tx, kind, key)
    if (stored && incoming < stored) return { outcome: 'stale', stored: stored.toISOString() }
    if (stored && incoming.getTime() === stored.getTime())
      return { outcome: 'unchanged', at: stored.toISOString() }
    if (!stored && deleted && incoming <= deleted)
      return { outcome: 'stale', stored: deleted.toISOString() }
    const missing = await missingReferences(tx, row)
    if (missing.length > 0)
      return {
        outcome: 'refused',
        problem: missing
          .map(
            (d) =>
              `its ${d.refKind === 'host' ? 'name server' : d.refKind} "${d.ref}" does not exist`,
          )
          .join('; '),
      }
    await writeOne(tx, kind, key, row)
    await logChange(tx, who, 'put', kind, key, incoming)
    return { outcome: stored ? 'updated' : 'created', at: incoming.toISOString() }
  })
}

/** removes one object as of `at`; one still used by another (a contact of a domain) is refused */
export async function deleteObject(
  db: Db,
  kind: ChangeClass,
  key: string,
  at: Date,
  who: RegistryOperator,
): Promise<ChangeOutcome> {
  return inTransaction(db, async (tx) => {
    const { stored } = await lockAndRead(tx, kind, key)
    if (!stored) return { outcome: 'not-found' }
    if (at < stored) return { outcome: 'stale', stored: stored.toISOString() }
    const [{ inUse } = { inUse: false }] = await tx.query<{ inUse: boolean }>(IN_USE[kind], [key])
    if (inUse) return { outcome: 'refused', problem: `the ${kind} is still in use` }
    await tx.query(`delete from ${STORED[kind].table} where ${STORED[kind].key} = $1`, [key])
    await logChange(tx, who, 'delete', kind, key, at)
    return { outcome: 'deleted', at: at.toISOString() }
  })
}

/** whether another object still names this one (checked first: a failed statement ends the transaction) */
const IN_USE: Record<ChangeClass, string> = {
  domain: 'select $1::text is null as "inUse"', // nothing refers to a domain
  host: `select exists (select 1 from domains where nameservers @> array[$1::text]) as "inUse"`,
  contact: `with c as (select roid from contacts where handle = $1)
            select exists (select 1 from domains d, c where d.registrant_roid = c.roid)
                or exists (select 1 from domains d, c where d.admin_roid = c.roid)
                or exists (select 1 from domains d, c where d.tech_roid = c.roid)
                or exists (select 1 from domains d, c where d.billing_roid = c.roid) as "inUse"`,
  registrar: `select exists (select 1 from registrars g
                              where g.handle = $1 and (exists (select 1 from domains where registrar_iana_id = g.iana_id)
                                 or exists (select 1 from hosts where registrar_iana_id = g.iana_id)
                                 or exists (select 1 from contacts where registrar_iana_id = g.iana_id))) as "inUse"`,
}
