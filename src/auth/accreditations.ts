import { z } from 'zod'
import { PURPOSES, type Purpose } from '../domain/audience.js'
import { batchedPerDb } from '../storage/batch.js'
import type { Queryable } from '../storage/db.js'

export const ACCREDITATION_STATUSES = ['active', 'suspended', 'revoked'] as const

export interface Accreditation {
  readonly id: string
  readonly holder: string
  readonly issuer: string
  readonly purposes: readonly Purpose[]
  readonly validFrom: Date
  readonly validUntil: Date | null
  readonly status: (typeof ACCREDITATION_STATUSES)[number]
}

const Row = z
  .object({
    id: z.string(),
    holder: z.string(),
    issuer: z.string(),
    purposes: z.array(z.enum(PURPOSES)),
    valid_from: z.coerce.date(),
    valid_until: z.coerce.date().nullable(),
    status: z.enum(ACCREDITATION_STATUSES),
  })
  .transform((r): Accreditation => ({
    id: r.id,
    holder: r.holder,
    issuer: r.issuer,
    purposes: r.purposes,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    status: r.status,
  }))

const accreditationRow = batchedPerDb(
  async (db, ids) => {
    const rows = await db.query<{ id: string }>(
      'select * from accreditations where id = any($1::text[])',
      [ids],
    )
    return new Map(rows.map((r) => [r.id, r]))
  },
  // a few accreditations serve every request: waiting would gather callers, not keys
  { maxInFlight: 4, gatherMs: 0 },
)

/** read on every authorized request (so a revocation applies at once), batched under load */
export async function findAccreditation(
  db: Queryable,
  id: string,
): Promise<Accreditation | undefined> {
  const row = await accreditationRow(db, id)
  return row ? Row.parse(row) : undefined
}

export async function listAccreditations(db: Queryable): Promise<Accreditation[]> {
  return (await db.query('select * from accreditations order by id')).map((r) => Row.parse(r))
}

export interface NewAccreditation {
  readonly id: string
  readonly holder: string
  readonly issuer: string
  readonly purposes: readonly Purpose[]
  readonly validUntil?: Date | null
}

/** who made a change, for the history */
export interface ChangedBy {
  readonly operator: string
  readonly host: string
}

/** adds an active accreditation and its history entry at once; false if the id exists */
export async function addAccreditation(
  db: Queryable,
  a: NewAccreditation,
  by: ChangedBy,
): Promise<boolean> {
  // one statement: the change and its record commit together, without a transaction to hold
  const rows = await db.query(
    `with added as (
       insert into accreditations (id, holder, issuer, purposes, valid_until)
       values ($1, $2, $3, $4, $5) on conflict (id) do nothing returning id, status)
     insert into accreditation_changes (accreditation_id, action, status, operator, host, detail)
     select id, 'add', status, $6, $7, $8::jsonb from added returning accreditation_id`,
    [
      a.id,
      a.holder,
      a.issuer,
      [...a.purposes],
      a.validUntil ?? null,
      by.operator,
      by.host,
      JSON.stringify({
        holder: a.holder,
        issuer: a.issuer,
        purposes: a.purposes,
        validUntil: a.validUntil ?? null,
      }),
    ],
  )
  return rows.length > 0
}

const STATUS_OF = { suspend: 'suspended', revoke: 'revoked', activate: 'active' } as const

/**
 * Suspends, revokes or reactivates, recording who did it; the new status, or undefined if there is
 * no such accreditation. Takes effect on the next request: accreditations are read on every one.
 */
export async function setAccreditationStatus(
  db: Queryable,
  id: string,
  action: keyof typeof STATUS_OF,
  by: ChangedBy,
): Promise<Accreditation['status'] | undefined> {
  const [row] = await db.query<{ status: Accreditation['status'] }>(
    `with changed as (
       update accreditations set status = $2, updated_at = now() where id = $1 returning id, status)
     insert into accreditation_changes (accreditation_id, action, status, operator, host)
     select id, $3, status, $4, $5 from changed returning status`,
    [id, STATUS_OF[action], action, by.operator, by.host],
  )
  return row?.status
}

export interface AccreditationChange extends ChangedBy {
  readonly id: number
  readonly at: Date
  readonly action: string
  readonly status: string
  readonly detail: Record<string, unknown>
}

/** every change to one accreditation, oldest first */
export async function accreditationHistory(
  db: Queryable,
  id: string,
): Promise<AccreditationChange[]> {
  const rows = await db.query<Record<string, unknown>>(
    'select * from accreditation_changes where accreditation_id = $1 order by id',
    [id],
  )
  return rows.map((r) => ({
    id: Number(r.id),
    at: new Date(r.at as string | Date),
    action: String(r.action),
    status: String(r.status),
    operator: String(r.operator),
    host: String(r.host),
    detail: (r.detail as Record<string, unknown>) ?? {},
  }))
}

/** why an accreditation does not cover a purpose now, or undefined when it does */
export function accreditationProblem(
  a: Accreditation | undefined,
  issuer: string,
  purpose: Purpose,
  now: Date,
): string | undefined {
  if (!a) return 'the accreditation is unknown'
  if (a.issuer !== issuer) return 'the accreditation belongs to another issuer'
  if (a.status !== 'active') return `the accreditation is ${a.status}`
  if (now < a.validFrom || (a.validUntil && now > a.validUntil))
    return 'the accreditation is not valid at this time'
  if (!a.purposes.includes(purpose))
    return `the accreditation does not cover the purpose ${purpose}`
  return undefined
}
