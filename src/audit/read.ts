import type { Queryable } from '../storage/db.js'
import { checkpointComparison, type Checkpoint } from './checkpoints.js'
import { chainHash, GENESIS, type AuditRow } from './disclosures.js'

// Reading the disclosure log: listing it, checking it, and whether it can be written.

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
    resultCount:
      r.result_count === null || r.result_count === undefined ? null : Number(r.result_count),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  }
}
