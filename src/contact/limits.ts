import type { Queryable } from '../storage/db.js'
import { recentCounts } from '../storage/contact.js'

/** messages per hour and per day */
export interface HourDay {
  readonly hour: number
  readonly day: number
}

export interface ContactLimits {
  /** from one sender's address */
  readonly sender: HourDay
  /** to one contact in one role of one domain */
  readonly recipient: HourDay
}

/** 'HOUR,DAY' (e.g. '5,20') */
export function parseHourDay(text: string): HourDay {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(text)
  if (!m) throw new Error(`"${text}" is not PER_HOUR,PER_DAY (e.g. 5,20)`)
  return { hour: Number(m[1]), day: Number(m[2]) }
}

/**
 * Why one more message from `sender` to this contact is refused now, or undefined: the counts
 * are the outbox's own rows, so every process and host shares them.
 */
export async function overLimit(
  db: Queryable,
  limits: ContactLimits,
  who: { readonly sender: string; readonly ldhName: string; readonly role: string },
): Promise<string | undefined> {
  const c = await recentCounts(db, who)
  if (c.senderHour >= limits.sender.hour || c.senderDay >= limits.sender.day)
    return 'this sender has sent as many messages through the relay as it may for now'
  if (c.recipientHour >= limits.recipient.hour || c.recipientDay >= limits.recipient.day)
    return 'this contact has received as many messages through the relay as it may for now'
  return undefined
}
