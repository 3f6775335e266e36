import type { ContactRole } from '../domain/registration.js'
import type { AddressTokens } from '../policy/anonymize.js'
import type { Policy } from '../policy/load.js'
import type { Queryable } from '../storage/db.js'
import { findRelayTargets } from '../storage/contact.js'
import type { RelayIdentity } from './compose.js'

/** who an anonymized address reaches: a contact in one role of one domain */
export interface Recipient {
  readonly ldhName: string
  readonly role: ContactRole
  readonly contactRoid: string
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The anonymized addresses a policy gives out, as patterns: each e-mail template of its rules with
 * `{hmac}` as the token to read, `{ldhName}` and `{role}` as anything of their kind.
 */
export function relayPatterns(policy: Policy): RegExp[] {
  const templates = new Set(
    [...policy.rules.values()]
      .map((r) => r.template)
      .filter((t): t is string => t !== undefined && t.includes('{hmac}') && !/^https?:/.test(t)),
  )
  return [...templates].map((t) => {
    const [local, domain] = [t.slice(0, t.lastIndexOf('@')), t.slice(t.lastIndexOf('@') + 1)]
    const part = (text: string) =>
      text
        .split(/(\{hmac\}|\{ldhName\}|\{role\})/)
        .map((p) =>
          p === '{hmac}'
            ? '(?<token>[0-9a-f]{32})'
            : p === '{ldhName}'
              ? '[a-z0-9.-]+'
              : p === '{role}'
                ? '[a-z]+'
                : escape(p),
        )
        .join('')
    // the domain part in any case (RFC 5321 §2.4); the local part as we wrote it, in lower case
    return new RegExp(`^${part(local)}@${part(domain.toLowerCase())}$`)
  })
}

/**
 * The recipient of an anonymized address, or undefined when it is none of ours: no pattern, a
 * token that does not verify, or a contact that no longer holds the role. One indexed read.
 */
export async function resolveAddress(
  db: Queryable,
  tokens: AddressTokens,
  patterns: readonly RegExp[],
  address: string,
): Promise<Recipient | undefined> {
  const at = address.lastIndexOf('@')
  const normalized = address.slice(0, at).toLowerCase() + '@' + address.slice(at + 1).toLowerCase()
  const token = patterns.map((p) => p.exec(normalized)?.groups?.token).find(Boolean)
  const read = token ? tokens.read(token) : undefined
  if (!read) return undefined
  for (const target of await findRelayTargets(db, read.nameKey, read.role)) {
    if (tokens.verifies(read, target.contactRoid, target.ldhName, read.role))
      return { ldhName: target.ldhName, role: read.role, contactRoid: target.contactRoid }
  }
  return undefined
}

/** text with every e-mail address in it replaced: for logs and stored errors, whatever they quote */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '<address>')
}

/**
 * How the relay names itself: CONTACT_FROM, else relay@ the domain of the policy's anonymized
 * addresses (the domain whose mail comes here), else relay@localhost.
 */
export function relayIdentity(policy: Policy, from?: string): RelayIdentity {
  const template = [...policy.rules.values()]
    .map((r) => r.template)
    .find((t) => t !== undefined && t.includes('@') && !/^https?:/.test(t))
  const domain = template
    ? template.slice(template.lastIndexOf('@') + 1).toLowerCase()
    : 'localhost'
  const address = from ?? `relay@${domain.includes('{') ? 'localhost' : domain}`
  return { from: address, host: address.slice(address.lastIndexOf('@') + 1) }
}
