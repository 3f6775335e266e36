import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server'
import type { Logger } from '../log.js'
import type { AddressTokens } from '../policy/anonymize.js'
import type { Db } from '../storage/db.js'
import { storeMessages } from '../storage/contact.js'
import { resolveAddress, withoutAddresses, type Recipient } from './addresses.js'
import { newMessageId, type RelayIdentity } from './compose.js'
import { overLimit, type ContactLimits } from './limits.js'

export interface SmtpInOptions {
  readonly db: Db
  readonly tokens: AddressTokens
  readonly patterns: readonly RegExp[]
  readonly identity: RelayIdentity
  readonly limits: ContactLimits
  readonly maxBytes: number
  readonly log: Logger
  /** a message was stored: deliver it */
  readonly stored: () => void
}

const reply = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code })

const RECIPIENTS = new WeakMap<SMTPServerSession, Recipient[]>()
const MAX_RECIPIENTS = 10

/**
 * The relay's SMTP listener: mail only for anonymized addresses that exist (others: 550 at RCPT
 * TO), within the limits (450 over them), at most `maxBytes` (552); a message is stored in the
 * outbox before "250". Replies never name a contact or its real address.
 */
export function createSmtpIn(o: SmtpInOptions): SMTPServer {
  const server = new SMTPServer({
    name: o.identity.host,
    banner: 'contact relay',
    size: o.maxBytes,
    authOptional: true,
    disabledCommands: ['AUTH'],
    logger: false,
    socketTimeout: 60_000,
    closeTimeout: 5_000,

    onMailFrom(address: SMTPServerAddress, session, callback) {
      RECIPIENTS.delete(session) // a new message in the same connection
      // a bounce to an anonymized address is not relayed: nobody there to read it, and no loops
      if (!address.address) return callback(reply(550, 'Bounces are not accepted by this relay'))
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address.address))
        return callback(reply(553, 'The sender address is malformed'))
      callback()
    },

    onRcptTo(address, session, callback) {
      const sender = String(
        session.envelope.mailFrom && session.envelope.mailFrom.address,
      ).toLowerCase()
      const list = RECIPIENTS.get(session) ?? []
      if (list.length >= MAX_RECIPIENTS) return callback(reply(452, 'Too many recipients'))
      resolveAddress(o.db, o.tokens, o.patterns, address.address)
        .then(async (recipient) => {
          if (!recipient) return callback(reply(550, 'No such recipient here'))
          const over = await overLimit(o.db, o.limits, { sender, ...recipient })
          if (over) return callback(reply(450, `Try later: ${over}`))
          RECIPIENTS.set(session, [...list, recipient])
          callback()
        })
        .catch((err: unknown) => {
          o.log.error(
            { err: withoutAddresses(String((err as Error)?.message)) },
            'relay lookup failed',
          )
          callback(reply(451, 'Temporary failure; try again later'))
        })
    },

    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const recipients = RECIPIENTS.get(session) ?? []
        RECIPIENTS.delete(session)
        if (stream.sizeExceeded) return callback(reply(552, 'The message is too large'))
        const raw = Buffer.concat(chunks)
        const sender = String(
          session.envelope.mailFrom && session.envelope.mailFrom.address,
        ).toLowerCase()
        storeMessages(
          o.db,
          recipients.map((r) => ({
            kind: 'relay' as const,
            via: 'smtp' as const,
            ldhName: r.ldhName,
            role: r.role,
            contactRoid: r.contactRoid,
            sender,
            messageId: newMessageId(o.identity),
            raw,
            state: 'queued' as const,
          })),
        )
          .then(() => {
            o.stored()
            callback(null, 'Queued for relay')
          })
          .catch((err: unknown) => {
            o.log.error(
              { err: withoutAddresses(String((err as Error)?.message)) },
              'relay store failed',
            )
            callback(reply(451, 'Temporary failure; try again later'))
          })
      })
    },
  })
  server.on('error', (err) => o.log.warn({ err: withoutAddresses(err.message) }, 'smtp error'))
  return server
}
