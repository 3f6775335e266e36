import { randomBytes } from 'node:crypto'
import { simpleParser } from 'mailparser'
import { createTransport } from 'nodemailer'
import type { ContactRole } from '../domain/registration.js'

/** how the relay names itself in what it sends */
export interface RelayIdentity {
  /** the From of everything the relay sends (RFC 5322), an address of the registry's */
  readonly from: string
  /** the host of message ids */
  readonly host: string
}

export const ROLE_WORDS: Readonly<Record<ContactRole, string>> = {
  registrant: 'registrant',
  administrative: 'administrative contact',
  technical: 'technical contact',
  billing: 'billing contact',
}

export function newMessageId(identity: RelayIdentity): string {
  return `<${randomBytes(12).toString('hex')}@${identity.host}>`
}

// builds messages without sending them: nodemailer's stream transport, buffered
const composer = createTransport({ streamTransport: true, buffer: true, newline: 'unix' })

/** a message of ours, as the bytes the outbox keeps */
export async function composeRaw(
  message: Parameters<typeof composer.sendMail>[0],
): Promise<Buffer> {
  const info = await composer.sendMail(message)
  return info.message as Buffer
}

export interface OutgoingRelay {
  readonly from: { readonly name: string; readonly address: string }
  readonly to: string
  readonly replyTo: string
  readonly subject: string
  readonly text: string
  readonly html?: string
  readonly attachments: ReadonlyArray<{ filename?: string; content: Buffer; contentType: string }>
  readonly messageId: string
  readonly headers: Readonly<Record<string, string>>
}

/**
 * What the contact receives for a message sent to its anonymized address: a new message from the
 * relay that says so, with the sender as Reply-To, the subject, the text, HTML and attachments, and
 * nothing else of the original headers (Received, X-Mailer, read-receipt requests: none cross).
 */
export async function relayedMessage(
  raw: Buffer,
  to: { readonly email: string; readonly ldhName: string; readonly role: ContactRole },
  sender: string,
  identity: RelayIdentity,
  messageId: string,
): Promise<OutgoingRelay> {
  const parsed = await simpleParser(raw, { skipImageLinks: true })
  const from = parsed.from?.value[0]
  const name = (from?.name || sender).replace(/["\r\n]/g, '').slice(0, 80)
  const preface =
    `This message was sent to the ${ROLE_WORDS[to.role]} of ${to.ldhName} through the registry's ` +
    `contact relay by ${sender}. Your address has not been disclosed; a reply reveals it.`
  return {
    from: { name: `${name} via the ${to.ldhName} contact relay`, address: identity.from },
    to: to.email,
    replyTo: from?.address && from.address.toLowerCase() === sender ? from.address : sender,
    subject: parsed.subject?.slice(0, 500) ?? '(no subject)',
    text: `${preface}\n\n${parsed.text ?? ''}`,
    ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
    attachments: parsed.attachments.map((a) => ({
      ...(a.filename ? { filename: a.filename } : {}),
      content: a.content,
      contentType: a.contentType,
    })),
    messageId,
    headers: { 'Auto-Submitted': 'auto-forwarded', 'X-Relayed-For': to.ldhName },
  }
}

/** what the sender gets when the relay gives up: the domain and the subject, never the recipient */
export function failureNotice(
  m: {
    readonly sender: string
    readonly ldhName: string
    readonly role: string
    readonly subject: string
  },
  identity: RelayIdentity,
  why: string,
) {
  return {
    from: { name: 'Registry contact relay', address: identity.from },
    to: m.sender,
    subject: `Undelivered: ${m.subject}`.slice(0, 500),
    text:
      `Your message "${m.subject}" to the ${ROLE_WORDS[m.role as ContactRole] ?? m.role} of ${m.ldhName} ` +
      `could not be delivered: ${why}\n\nThe registry relays messages to contacts whose addresses ` +
      `are withheld for privacy; it has not disclosed the address and cannot say more about it.`,
    messageId: newMessageId(identity),
    headers: { 'Auto-Submitted': 'auto-replied' },
  }
}

/** the confirmation a web form's sender must follow before the message is released */
export function confirmationMessage(
  m: {
    readonly sender: string
    readonly ldhName: string
    readonly role: ContactRole
    readonly subject: string
  },
  link: string,
  identity: RelayIdentity,
) {
  return {
    from: { name: 'Registry contact relay', address: identity.from },
    to: m.sender,
    subject: `Confirm your message to the ${ROLE_WORDS[m.role]} of ${m.ldhName}`,
    text:
      `Someone, probably you, wrote to the ${ROLE_WORDS[m.role]} of ${m.ldhName} through the ` +
      `registry's contact form, with this address as the sender and the subject "${m.subject}".\n\n` +
      `To send it, open this link within a day and confirm:\n${link}\n\n` +
      `If it was not you, ignore this message: nothing is sent.`,
    messageId: newMessageId(identity),
    headers: { 'Auto-Submitted': 'auto-generated' },
  }
}
