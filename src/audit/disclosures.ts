import { createHash } from 'node:crypto'
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
  /** for a search: how many objects it found (RFC 9536 reverse searches are audited as a whole) */
  readonly resultCount?: number | null
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
  // only a search's row has a count: rows written before counts existed keep their hashes
  if (e.resultCount !== undefined && e.resultCount !== null) content.push(e.resultCount)
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
