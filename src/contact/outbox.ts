import type { Transporter } from 'nodemailer'
import { simpleParser } from 'mailparser'
import type { ContactRole } from '../domain/registration.js'
import type { Logger } from '../log.js'
import type { Db } from '../storage/db.js'
import {
  claimDue,
  findRoleContact,
  settle,
  storeMessages,
  type QueuedMessage,
} from '../storage/contact.js'
import { withoutAddresses } from './addresses.js'
import { composeRaw, failureNotice, relayedMessage, type RelayIdentity } from './compose.js'

export interface OutboxOptions {
  readonly db: Db
  /** the outbound relay (SMTP_RELAY_URL); none: messages wait */
  readonly transport: Transporter | undefined
  readonly identity: RelayIdentity
  readonly log: Logger
  /** after this long since it arrived, a message is given up and its sender told */
  readonly giveUpSeconds: number
  /** the first retry's wait; each later one waits twice as long, at most an hour */
  readonly retrySeconds: number
  /** how often due messages are looked for (besides a nudge when one is stored) */
  readonly pollMs?: number
}

export interface Outbox {
  /** look for due messages now (a message was just stored) */
  nudge(): void
  /** stops taking messages; resolves when the ones in hand are settled */
  stop(): Promise<void>
}

const LEASE_SECONDS = 60
const BATCH = 20

/** an SMTP reply that will not change by trying again (RFC 5321 §4.2.1: 5yz) */
const permanent = (err: unknown) => {
  const code = (err as { responseCode?: unknown })?.responseCode
  return typeof code === 'number' && code >= 500 && code < 600
}

/**
 * Delivers the outbox: relayed messages to the contact's current address, notices and
 * confirmations to their sender, through the outbound relay, with retries and backoff while it
 * fails; past `giveUpSeconds` (or on a permanent refusal) a relayed message's sender gets a notice
 * that names no recipient. Resumes whatever a stopped process left: the outbox is in the database.
 */
export function startOutbox(o: OutboxOptions): Outbox {
  let stopped = false
  let running: Promise<void> | undefined
  let again = false

  const deliver = async (m: QueuedMessage): Promise<void> => {
    try {
      if (!o.transport)
        throw Object.assign(new Error('no outbound relay is configured (SMTP_RELAY_URL)'), {})
      if (m.kind === 'relay') {
        const contact = await findRoleContact(o.db, m.ldhName, m.role as ContactRole)
        if (!contact || contact.contactRoid !== m.contactRoid || !contact.email)
          return await giveUp(m, 'the contact no longer holds this role or has no address')
        const mail = await relayedMessage(
          m.raw,
          { email: contact.email, ldhName: m.ldhName, role: m.role as ContactRole },
          m.sender,
          o.identity,
          m.messageId,
        )
        await o.transport.sendMail({
          ...mail,
          attachments: [...mail.attachments],
          envelope: { from: o.identity.from, to: contact.email },
        })
      } else {
        await o.transport.sendMail({ raw: m.raw, envelope: { from: '', to: m.sender } })
      }
      await settle(o.db, m.id, { state: 'sent' })
      o.log.info({ message: m.id, kind: m.kind, domain: m.ldhName, role: m.role }, 'relayed')
    } catch (err) {
      const why = withoutAddresses(
        `${(err as { responseCode?: number }).responseCode ?? ''} ${(err as Error).message}`.trim(),
      ).slice(0, 300)
      const age = (Date.now() - m.receivedAt.getTime()) / 1000
      if (permanent(err) || age >= o.giveUpSeconds) return giveUp(m, why)
      const wait = Math.min(o.retrySeconds * 2 ** (m.attempts - 1), 3600)
      await settle(o.db, m.id, { retryInSeconds: wait, error: why })
      o.log.warn(
        { message: m.id, attempts: m.attempts, retryIn: wait, why },
        'relay failed; will retry',
      )
    }
  }

  const giveUp = async (m: QueuedMessage, why: string): Promise<void> => {
    if (m.kind === 'relay') {
      // the notice goes through the outbox too, so that it survives the relay's own outage
      const subject = (await simpleParser(m.raw).catch(() => undefined))?.subject ?? '(no subject)'
      const notice = failureNotice({ ...m, subject }, o.identity, why)
      await storeMessages(o.db, [
        {
          kind: 'notice',
          via: 'relay',
          ldhName: m.ldhName,
          role: m.role,
          sender: m.sender,
          messageId: notice.messageId,
          raw: await composeRaw(notice),
          state: 'queued',
        },
      ])
    }
    await settle(o.db, m.id, { state: 'failed', error: why })
    o.log.warn({ message: m.id, kind: m.kind, domain: m.ldhName, why }, 'relay gave up')
    nudge()
  }

  const drain = async () => {
    do {
      again = false
      try {
        for (;;) {
          if (stopped) return
          const due = await claimDue(o.db, BATCH, LEASE_SECONDS)
          if (due.length === 0) break
          await Promise.all(due.map(deliver))
        }
      } catch (err) {
        o.log.error({ err: withoutAddresses(String((err as Error)?.message)) }, 'outbox failed')
      }
    } while (again && !stopped)
  }

  const nudge = () => {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = drain().finally(() => {
      running = undefined
    })
  }

  const timer = setInterval(nudge, o.pollMs ?? 1000)
  timer.unref()
  nudge()
  return {
    nudge,
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
