import { randomBytes } from 'node:crypto'
import type { Transporter } from 'nodemailer'
import type { SMTPServer } from 'smtp-server'
import { CONTACT_ROLES, type ContactRole } from '../domain/registration.js'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import { addressTokens } from '../policy/anonymize.js'
import type { Policy } from '../policy/load.js'
import type { Db } from '../storage/db.js'
import { confirmMessage, findRoleContact, storeMessages } from '../storage/contact.js'
import { relayPatterns } from './addresses.js'
import { composeRaw, confirmationMessage, newMessageId, type RelayIdentity } from './compose.js'
import { overLimit, type ContactLimits } from './limits.js'
import { startOutbox, type Outbox } from './outbox.js'
import { createSmtpIn } from './smtp-in.js'

export interface ContactRelayOptions {
  readonly db: Db
  readonly policy: Policy
  /** the secret behind anonymized addresses (the policy's) */
  readonly secret: string
  readonly transport: Transporter | undefined
  readonly identity: RelayIdentity
  readonly limits: ContactLimits
  readonly maxBytes: number
  readonly giveUpSeconds: number
  readonly retrySeconds: number
  readonly pollMs?: number
  readonly log: Logger
}

/** a message from the web form, before its sender confirms it */
export interface FormMessage {
  readonly ldhName: string
  readonly role: ContactRole
  readonly sender: string
  readonly subject: string
  readonly text: string
}

export interface ContactRelay {
  /** the SMTP listener for anonymized addresses (not listening yet) */
  readonly smtp: SMTPServer
  /** stores a form's message unconfirmed and mails its sender the link `confirmUrl(token)` */
  submit(message: FormMessage, confirmUrl: (token: string) => string): Promise<void>
  /** releases a confirmed form message; false if the link is unknown, used or expired */
  confirm(token: string): Promise<boolean>
  stop(): Promise<void>
}

/** a confirmation link works for a day */
export const CONFIRM_SECONDS = 86_400

/** the contact relay: SMTP in, the web form, the outbox that delivers both */
export function startContactRelay(o: ContactRelayOptions): ContactRelay {
  const outbox: Outbox = startOutbox(o)
  const smtp = createSmtpIn({
    ...o,
    tokens: addressTokens(o.secret),
    patterns: relayPatterns(o.policy),
    stored: () => outbox.nudge(),
  })
  return {
    smtp,
    async submit(m, confirmUrl) {
      if (!(CONTACT_ROLES as readonly string[]).includes(m.role))
        throw new AppError('BAD_REQUEST', 'No such contact role.')
      const contact = await findRoleContact(o.db, m.ldhName, m.role)
      if (!contact?.email)
        throw new AppError('NOT_FOUND', `${m.ldhName} has no ${m.role} contact to write to.`)
      const over = await overLimit(o.db, o.limits, m)
      if (over)
        throw new AppError('RATE_LIMITED', `Not sent: ${over}. Try again later.`, {
          retryAfterSeconds: 3600,
        })
      const token = randomBytes(24).toString('base64url')
      const messageId = newMessageId(o.identity)
      const raw = await composeRaw({
        from: m.sender,
        to: `${m.role} of ${m.ldhName} <${o.identity.from}>`,
        subject: m.subject,
        text: m.text,
        messageId,
      })
      if (raw.length > o.maxBytes) throw new AppError('BAD_REQUEST', 'The message is too long.')
      const confirmation = confirmationMessage(m, confirmUrl(token), o.identity)
      await storeMessages(o.db, [
        {
          kind: 'relay',
          via: 'form',
          ldhName: m.ldhName,
          role: m.role,
          contactRoid: contact.contactRoid,
          sender: m.sender,
          messageId,
          raw,
          state: 'unconfirmed',
          confirmToken: token,
        },
        {
          kind: 'confirmation',
          via: 'form',
          ldhName: m.ldhName,
          role: m.role,
          sender: m.sender,
          messageId: confirmation.messageId,
          raw: await composeRaw(confirmation),
          state: 'queued',
        },
      ])
      outbox.nudge()
    },
    async confirm(token) {
      const done = await confirmMessage(o.db, token, CONFIRM_SECONDS)
      if (done) outbox.nudge()
      return done
    },
    async stop() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()))
      await outbox.stop()
    },
  }
}
