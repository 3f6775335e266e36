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

export async function addAccreditation(db: Queryable, a: NewAccreditation): Promise<void> {
  await db.query(
    'insert into accreditations (id, holder, issuer, purposes, valid_until) values ($1, $2, $3, $4, $5)',
    [a.id, a.holder, a.issuer, [...a.purposes], a.validUntil ?? null],
  )
}

/** suspend, revoke or reactivate; true if it exists. Takes effect on the next request. */
export async function setAccreditationStatus(
  db: Queryable,
  id: string,
  status: Accreditation['status'],
): Promise<boolean> {
  const rows = await db.query(
    'update accreditations set status = $2, updated_at = now() where id = $1 returning id',
    [id, status],
  )
  return rows.length > 0
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
