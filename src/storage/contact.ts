import type { ContactRole } from '../domain/registration.js'
import type { Db, Queryable } from './db.js'

/** a domain whose name has this 8-byte key, with the contact holding `role` and its address */
export interface RelayTarget {
  readonly ldhName: string
  readonly contactRoid: string
  readonly email: string | null
}

const ROLE_COLUMN: Readonly<Record<ContactRole, string>> = {
  registrant: 'registrant_roid',
  administrative: 'admin_roid',
  technical: 'tech_roid',
  billing: 'billing_roid',
}

/**
 * The domains whose name's SHA-256 starts with `nameKey` (one, but for a collision in 2^64), each
 * with its contact in `role`: one read of the name-key index.
 */
export async function findRelayTargets(
  db: Queryable,
  nameKey: Buffer,
  role: ContactRole,
): Promise<RelayTarget[]> {
  return db.query<RelayTarget>(
    `select d.ldh_name as "ldhName", c.roid as "contactRoid", c.email
       from domains d join contacts c on c.roid = d.${ROLE_COLUMN[role]}
      where substr(sha256(d.ldh_name::bytea), 1, 8) = $1`,
    [nameKey],
  )
}

/** the contact holding `role` of one domain now, for delivery: its address may have changed */
export async function findRoleContact(
  db: Queryable,
  ldhName: string,
  role: ContactRole,
): Promise<{ contactRoid: string; email: string | null } | undefined> {
  const [row] = await db.query<{ contactRoid: string; email: string | null }>(
    `select c.roid as "contactRoid", c.email
       from domains d join contacts c on c.roid = d.${ROLE_COLUMN[role]}
      where d.ldh_name = $1`,
    [ldhName],
  )
  return row
}

export type MessageKind = 'relay' | 'notice' | 'confirmation'
export type MessageState = 'unconfirmed' | 'queued' | 'sent' | 'failed' | 'discarded'

export interface NewMessage {
  readonly kind: MessageKind
  readonly via: 'smtp' | 'form' | 'relay'
  readonly ldhName: string
  readonly role: string
  readonly contactRoid?: string
  readonly sender: string
  readonly messageId: string
  readonly raw: Buffer
  readonly state: 'unconfirmed' | 'queued'
  readonly confirmToken?: string
}

/** stores messages in one transaction: when it returns, they are kept (then "250 OK") */
export async function storeMessages(db: Db, messages: readonly NewMessage[]): Promise<number[]> {
  const insert = async (tx: Queryable) => {
    const ids: number[] = []
    for (const m of messages) {
      const [row] = await tx.query<{ id: string }>(
        `insert into contact_messages
           (kind, via, ldh_name, role, contact_roid, sender, message_id, size, state,
            next_attempt_at, confirm_token, raw)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, case when $9 = 'queued' then now() end, $10, $11)
         returning id`,
        [
          m.kind,
          m.via,
          m.ldhName,
          m.role,
          m.contactRoid ?? null,
          m.sender,
          m.messageId,
          m.raw.length,
          m.state,
          m.confirmToken ?? null,
          m.raw,
        ],
      )
      ids.push(Number(row!.id))
    }
    return ids
  }
  return db.transaction(insert)
}

/** how many relayed messages came from one sender, and went to one contact, in the last hour and day */
export async function recentCounts(
  db: Queryable,
  who: { readonly sender: string; readonly ldhName: string; readonly role: string },
): Promise<{ senderHour: number; senderDay: number; recipientHour: number; recipientDay: number }> {
  const [row] = await db.query<Record<string, string>>(
    `select
       (select count(*) from contact_messages where kind = 'relay' and sender = $1
           and received_at > now() - interval '1 hour') as "senderHour",
       (select count(*) from contact_messages where kind = 'relay' and sender = $1
           and received_at > now() - interval '1 day') as "senderDay",
       (select count(*) from contact_messages where kind = 'relay' and ldh_name = $2 and role = $3
           and received_at > now() - interval '1 hour') as "recipientHour",
       (select count(*) from contact_messages where kind = 'relay' and ldh_name = $2 and role = $3
           and received_at > now() - interval '1 day') as "recipientDay"`,
    [who.sender, who.ldhName, who.role],
  )
  return {
    senderHour: Number(row?.senderHour ?? 0),
    senderDay: Number(row?.senderDay ?? 0),
    recipientHour: Number(row?.recipientHour ?? 0),
    recipientDay: Number(row?.recipientDay ?? 0),
  }
}

export interface QueuedMessage {
  readonly id: number
  readonly kind: MessageKind
  readonly via: string
  readonly ldhName: string
  readonly role: string
  readonly contactRoid: string | null
  readonly sender: string
  readonly messageId: string
  readonly receivedAt: Date
  readonly attempts: number
  readonly raw: Buffer
}

/**
 * Takes up to `limit` messages that are due, for `leaseSeconds`: another process (or this one after
 * a restart) takes a message again only once its lease has run out without an outcome.
 */
export async function claimDue(
  db: Queryable,
  limit: number,
  leaseSeconds: number,
): Promise<QueuedMessage[]> {
  const rows = await db.query<Record<string, unknown>>(
    `update contact_messages m
        set attempts = m.attempts + 1,
            next_attempt_at = now() + make_interval(secs => $2)
      where m.id in (select id from contact_messages
                      where state = 'queued' and next_attempt_at <= now()
                      order by next_attempt_at limit $1 for update skip locked)
      returning m.id, m.kind, m.via, m.ldh_name, m.role, m.contact_roid, m.sender, m.message_id,
                m.received_at, m.attempts, m.raw`,
    [limit, leaseSeconds],
  )
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind as MessageKind,
    via: String(r.via),
    ldhName: String(r.ldh_name),
    role: String(r.role),
    contactRoid: (r.contact_roid as string | null) ?? null,
    sender: String(r.sender),
    messageId: String(r.message_id),
    receivedAt: new Date(r.received_at as string | Date),
    attempts: Number(r.attempts),
    raw: Buffer.from(r.raw as Uint8Array),
  }))
}

/** the outcome of a delivery: sent or failed for good (the body is dropped), or tried again later */
export async function settle(
  db: Queryable,
  id: number,
  outcome:
    | { readonly state: 'sent' | 'failed' | 'discarded'; readonly error?: string }
    | { readonly retryInSeconds: number; readonly error: string },
): Promise<void> {
  if ('retryInSeconds' in outcome) {
    await db.query(
      `update contact_messages set next_attempt_at = now() + make_interval(secs => $2), last_error = $3
        where id = $1 and state = 'queued'`,
      [id, outcome.retryInSeconds, outcome.error],
    )
    return
  }
  await db.query(
    `update contact_messages set state = $2, last_error = $3, finished_at = now(), raw = null,
            next_attempt_at = null
      where id = $1`,
    [id, outcome.state, outcome.error ?? null],
  )
}

/** a form message confirmed by its sender within `maxAgeSeconds`: queued; false if no such */
export async function confirmMessage(
  db: Queryable,
  token: string,
  maxAgeSeconds: number,
): Promise<boolean> {
  const rows = await db.query(
    `update contact_messages set state = 'queued', next_attempt_at = now(), confirm_token = null
      where confirm_token = $1 and state = 'unconfirmed'
        and received_at > now() - make_interval(secs => $2)
      returning id`,
    [token, maxAgeSeconds],
  )
  return rows.length === 1
}

export interface MessageRecord {
  readonly id: number
  readonly kind: MessageKind
  readonly via: string
  readonly receivedAt: Date
  readonly ldhName: string
  readonly role: string
  readonly sender: string
  readonly messageId: string
  readonly size: number
  readonly state: MessageState
  readonly attempts: number
  readonly lastError: string | null
  readonly finishedAt: Date | null
}

/** the record of relayed mail, newest first: never a body, never a recipient's address */
export async function listMessages(db: Queryable, limit = 100): Promise<MessageRecord[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select id, kind, via, received_at, ldh_name, role, sender, message_id, size, state, attempts,
            last_error, finished_at
       from contact_messages order by received_at desc, id desc limit $1`,
    [limit],
  )
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind as MessageKind,
    via: String(r.via),
    receivedAt: new Date(r.received_at as string | Date),
    ldhName: String(r.ldh_name),
    role: String(r.role),
    sender: String(r.sender),
    messageId: String(r.message_id),
    size: Number(r.size),
    state: r.state as MessageState,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    finishedAt: r.finished_at ? new Date(r.finished_at as string | Date) : null,
  }))
}
