import type { RegistryOperator } from '../auth/operator-tokens.js'
import type { Db, Queryable } from '../storage/db.js'
import { danglingReferences, dropRun, newRun, stage, writeStaged } from './apply.js'
import { KEY_FIELDS } from './rde-read.js'
import { deleteKeyOf, stagedRowOf } from './rows.js'

// One object at a time, pushed as the registry changes it (the ingest API). The same staging and
// writing as a deposit, in one transaction per change; each change is ordered by the object's own
// last-update time, so a retried or late request never undoes a newer one.

export type ChangeClass = 'domain' | 'host' | 'contact' | 'registrar'

export type ChangeOutcome =
  | { readonly outcome: 'created' | 'updated' | 'unchanged' | 'deleted'; readonly at: string }
  | { readonly outcome: 'stale'; readonly stored: string }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'refused'; readonly problem: string }

/** the stored object's last-update time (its creation when never updated), by the key it is pushed under */
const STORED_TIME: Record<ChangeClass, string> = {
  domain: 'select coalesce(updated_at, created_at) as at from domains where ldh_name = $1',
  host: 'select coalesce(updated_at, created_at) as at from hosts where ldh_name = $1',
  contact: 'select coalesce(updated_at, created_at) as at from contacts where handle = $1',
  registrar: 'select coalesce(updated_at, created_at) as at from registrars where handle = $1',
}

const DELETE: Record<ChangeClass, string> = {
  domain: 'delete from domains where ldh_name = $1',
  host: 'delete from hosts where ldh_name = $1',
  contact: 'delete from contacts where handle = $1',
  registrar: 'delete from registrars where handle = $1',
}

async function storedTime(
  tx: Queryable,
  kind: ChangeClass,
  key: string,
): Promise<Date | undefined> {
  const [row] = await tx.query<{ at: string | Date }>(STORED_TIME[kind], [key])
  return row ? new Date(row.at) : undefined
}

async function deletedAt(tx: Queryable, kind: ChangeClass, key: string): Promise<Date | undefined> {
  const [row] = await tx.query<{ at: string | Date }>(
    `select updated_at as at from registry_changes
      where object_class = $1 and object_key = $2 and action = 'delete'
      order by updated_at desc limit 1`,
    [kind, key],
  )
  return row ? new Date(row.at) : undefined
}

/** serialises the changes of one object, whichever process makes them */
const lockObject = (tx: Queryable, kind: ChangeClass, key: string) =>
  tx.query('select pg_advisory_xact_lock(hashtext($1))', [`${kind} ${key}`])

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
  return db.transaction(async (tx) => {
    await lockObject(tx, kind, key)
    const stored = await storedTime(tx, kind, key)
    if (stored && incoming < stored) return { outcome: 'stale', stored: stored.toISOString() }
    if (stored && incoming.getTime() === stored.getTime())
      return { outcome: 'unchanged', at: stored.toISOString() }
    const deleted = stored ? undefined : await deletedAt(tx, kind, key)
    if (deleted && incoming <= deleted) return { outcome: 'stale', stored: deleted.toISOString() }
    // plans for this run's one row: a generic plan, made while an import stages millions of
    // rows, scanned the whole staging table (half a second a push during an import)
    await tx.query('set local plan_cache_mode = force_custom_plan')
    const run = await newRun(tx)
    await stage(tx, run, [{ kind, key, row, line: 0 }])
    const dangling = await danglingReferences(tx, run, 'DIFF', 5)
    if (dangling.length > 0) {
      await dropRun(tx, run)
      return {
        outcome: 'refused',
        problem: dangling
          .map(
            (d) =>
              `its ${d.refKind === 'host' ? 'name server' : d.refKind} "${d.ref}" does not exist`,
          )
          .join('; '),
      }
    }
    await writeStaged(tx, run, kind)
    await dropRun(tx, run)
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
  return db.transaction(async (tx) => {
    await lockObject(tx, kind, key)
    const stored = await storedTime(tx, kind, key)
    if (!stored) return { outcome: 'not-found' }
    if (at < stored) return { outcome: 'stale', stored: stored.toISOString() }
    const [{ inUse } = { inUse: false }] = await tx.query<{ inUse: boolean }>(IN_USE[kind], [key])
    if (inUse) return { outcome: 'refused', problem: `the ${kind} is still in use` }
    await tx.query(DELETE[kind], [key])
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
