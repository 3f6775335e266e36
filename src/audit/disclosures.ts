import { createHash } from 'node:crypto'
import { checkpointComparison, type Checkpoint } from './checkpoints.js'
import type { Db, Queryable } from '../storage/db.js'

/** one non-public disclosure: who saw which personal fields of what; never the values */
export interface DisclosureEvent {
  readonly at: Date
  readonly requestId: string
  readonly issuer: string | null
  readonly subject: string | null
  readonly accreditationId: string | null
  readonly audience: string
  readonly purpose: string | null
  readonly objectClass: string
  readonly objectHandle: string
  readonly fields: readonly string[]
  readonly policyName: string
  readonly policyVersion: number
}

export interface AuditRow extends DisclosureEvent {
  readonly id: number
  readonly prevHash: string
  readonly hash: string
}

export interface AuditLog {
  /** resolves once the row is committed; rejects if it could not be written */
  append(event: DisclosureEvent): Promise<void>
  /** when the last append failed, if none has succeeded since */
  failingSince(): Date | undefined
}

export const GENESIS = '0'.repeat(64)

/** sha256 over the previous hash and the row's content, in a fixed field order */
export function chainHash(prevHash: string, e: DisclosureEvent): string {
  const content = [
    e.at.toISOString(),
    e.requestId,
    e.issuer,
    e.subject,
    e.accreditationId,
    e.audience,
    e.purpose,
    e.objectClass,
    e.objectHandle,
    [...e.fields],
    e.policyName,
    e.policyVersion,
  ]
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(JSON.stringify(content))
    .digest('hex')
}

interface Pending {
  readonly event: DisclosureEvent
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
}

/**
 * Appends hash-chained rows. Events that arrive while a write is under way are written together in
 * the next one (group commit), in one round trip: rows are hashed here from the last head seen, and
 * disclosures_append() (sql/004, sql/005) inserts them only if that is still the head, under the chain's
 * lock. When another process wrote first they are hashed again while that lock is held, so several
 * server processes keep one linear chain and none of them can be starved of writes.
 */
export function createAuditLog(db: Db): AuditLog {
  let queue: Pending[] = []
  let writing = false
  let head: string | undefined
  let failingSince: Date | undefined

  async function write(events: readonly DisclosureEvent[]): Promise<void> {
    // one round trip while this process is the only writer: hashed from the head it last wrote
    if (head !== undefined) {
      const rows = chain(head, events)
      if ((await append(db, head, rows)) === null) {
        head = rows[rows.length - 1]!.hash
        return
      }
    }
    // the first write, or another process wrote since: hashed under the chain's lock, so this
    // attempt cannot lose to another writer however busy the chain is
    head = await db.transaction(async (tx) => {
      // an append that cannot match takes the lock, writes nothing and returns the head
      const current = (await append(tx, '', [])) ?? GENESIS
      const rows = chain(current, events)
      if ((await append(tx, current, rows)) !== null)
        throw new Error('the audit chain moved while its lock was held')
      return rows[rows.length - 1]!.hash
    })
  }

  async function drain(): Promise<void> {
    writing = true
    while (queue.length) {
      const batch = queue
      queue = []
      try {
        await write(batch.map((p) => p.event))
        failingSince = undefined
        batch.forEach((p) => p.resolve())
      } catch (err) {
        failingSince ??= new Date()
        head = undefined
        batch.forEach((p) => p.reject(err))
      }
    }
    writing = false
  }

  return {
    append(event) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ event, resolve, reject })
        if (!writing) void drain()
      })
    },
    failingSince: () => failingSince,
  }
}

/** disclosures_append(): null once the rows are in, else the chain's real head (nothing written) */
async function append(
  db: Queryable,
  expectedPrev: string,
  rows: unknown[],
): Promise<string | null> {
  const [result] = await db.query<{ head: string | null }>(
    'select disclosures_append($1, $2::jsonb) as head',
    [expectedPrev, JSON.stringify(rows)],
  )
  return result?.head ?? null
}

function chain(head: string, events: readonly DisclosureEvent[]) {
  let prev = head
  return events.map((e) => {
    const hash = chainHash(prev, e)
    const row = { ...e, at: e.at.toISOString(), fields: [...e.fields], prevHash: prev, hash }
    prev = hash
    return row
  })
}

/**
 * Whether this role can append to the log at all (table, function and rights in place); says
 * nothing of the rows. Throws a DatabaseError when the database does not answer.
 */
export async function auditWritable(db: Queryable): Promise<boolean> {
  const [row] = await db.query<{ ok: boolean }>(
    // by oid: a missing table or function is null (not ready), never an error
    `select coalesce(has_table_privilege(to_regclass('disclosures'), 'insert')
        and has_function_privilege(to_regprocedure('disclosures_append(text, jsonb)'), 'execute'),
        false) as ok`,
  )
  return row?.ok === true
}

export interface AuditFilter {
  readonly subject?: string
  readonly object?: string
  readonly since?: Date
  readonly limit?: number
  /** the newest rows first (the default of `rdds audit list`) */
  readonly newestFirst?: boolean
}

export async function listDisclosures(
  db: Queryable,
  filter: AuditFilter = {},
): Promise<AuditRow[]> {
  // only the conditions asked for, and the limit as a number in the text, so that the plan of each
  // (prepared once per connection, generic) uses that condition's index: "($1 is null or subject =
  // $1)" can use none, and with an unknown limit a plan guesses a few rows and walks the whole key
  const limit = rowCount(filter.limit, 1000)
  const conditions: string[] = []
  const params: unknown[] = []
  const where = (column: string, op: string, value: unknown) => {
    params.push(value)
    conditions.push(`${column} ${op} $${params.length}`)
  }
  if (filter.subject !== undefined) where('subject', '=', filter.subject)
  if (filter.object !== undefined) where('object_handle', '=', filter.object)
  if (filter.since !== undefined) where('at', '>=', filter.since)
  const rows = await db.query<Record<string, unknown>>(
    `select * from disclosures${conditions.length ? ` where ${conditions.join(' and ')}` : ''}
      order by id${filter.newestFirst ? ' desc' : ''} limit ${limit}`,
    params,
  )
  return rows.map(toRow)
}

export interface VerifyResult {
  readonly rows: number
  readonly problems: readonly string[]
}

/**
 * Recomputes the chain: a changed row breaks its own hash, a deleted one its successor's link and
 * the run of ids (given one by one under the chain's lock). What the chain cannot show, rows
 * removed or rewritten at its end, the checkpoints do. Reads the log in pages along the primary
 * key, so memory stays flat however long it grows (the whole table at once took 330 MB for 79,000
 * rows).
 */
export async function verifyChain(
  db: Queryable,
  options: { pageSize?: number; checkpoints?: readonly Checkpoint[] } = {},
): Promise<VerifyResult> {
  const pageSize = rowCount(options.pageSize, 5000)
  const problems: string[] = []
  const checkpoints = checkpointComparison(options.checkpoints ?? [])
  let prev = GENESIS
  let rows = 0
  let after = 0
  for (;;) {
    // the page size is part of the text, not a parameter: a generic plan then knows how few rows
    // it wants and walks the primary key
    const page = (
      await db.query<Record<string, unknown>>(
        `select * from disclosures where id > $1 order by id limit ${pageSize}`,
        [after],
      )
    ).map(toRow)
    for (const row of page) {
      const expected = after + 1
      if (row.id !== expected)
        problems.push(
          `row ${row.id}: ids jump from ${expected - 1} to ${row.id} (${row.id - expected === 1 ? `row ${expected} is` : `rows ${expected} to ${row.id - 1} are`} missing)`,
        )
      checkpoints.see(row)
      after = row.id
      rows++
      if (row.prevHash !== prev)
        problems.push(
          `row ${row.id}: does not follow the row before it (a row was deleted or reordered)`,
        )
      if (chainHash(row.prevHash, row) !== row.hash)
        problems.push(`row ${row.id}: content does not match its hash (changed)`)
      prev = row.hash
    }
    if (page.length < pageSize) return { rows, problems: [...problems, ...checkpoints.problems()] }
  }
}

/** a row count written into SQL text: a whole number of at least 1 whatever is passed, or the default */
function rowCount(asked: number | undefined, fallback: number): number {
  return asked !== undefined && Number.isSafeInteger(asked) && asked >= 1 ? asked : fallback
}

function toRow(r: Record<string, unknown>): AuditRow {
  return {
    id: Number(r.id),
    at: new Date(r.at as string | Date),
    requestId: String(r.request_id),
    issuer: (r.issuer as string | null) ?? null,
    subject: (r.subject as string | null) ?? null,
    accreditationId: (r.accreditation_id as string | null) ?? null,
    audience: String(r.audience),
    purpose: (r.purpose as string | null) ?? null,
    objectClass: String(r.object_class),
    objectHandle: String(r.object_handle),
    fields: (r.fields as string[]) ?? [],
    policyName: String(r.policy_name),
    policyVersion: Number(r.policy_version),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  }
}
