import { createHmac, createSecretKey, hash, timingSafeEqual } from 'node:crypto'
import { CONTACT_ROLES, type ContactRole } from '../domain/registration.js'

/**
 * The token of an anonymized address (`{hmac}` of a policy's template): 32 hex digits that name a
 * contact in one role of one domain. 8 bytes of the SHA-256 of the domain's name (which the record
 * shows anyway; the relay finds the domain by them, from an index), the role, and 7 bytes of an
 * HMAC with the server's secret over the contact's ROID, the name and the role: a token for another
 * contact, or one made up, does not verify. So it stays the same while the contact holds the role,
 * whatever its e-mail; it differs per domain and role, so the public cannot link one person's
 * registrations; and nothing of the contact can be read from it (Calzone; RDAP RP 2024 §2.7.5).
 */
export interface AddressTokens {
  make(contactRoid: string, ldhName: string, role: string): string
  /** what a token says, if it is one of ours in form; its MAC is checked by `verifies` */
  read(
    token: string,
  ): { readonly nameKey: Buffer; readonly role: ContactRole; readonly mac: Buffer } | undefined
  verifies(
    token: { readonly mac: Buffer },
    contactRoid: string,
    ldhName: string,
    role: string,
  ): boolean
}

const ROLE_HEX: Readonly<Record<string, string>> = Object.fromEntries(
  CONTACT_ROLES.map((role, i) => [role, i.toString(16).padStart(2, '0')]),
)

/** the first 8 bytes of the SHA-256 of a name: the key the relay finds a domain by */
export function nameKey(ldhName: string): Buffer {
  return hash('sha256', ldhName, 'buffer').subarray(0, 8)
}

export function addressTokens(secret: string): AddressTokens {
  const macKey = createSecretKey(
    createHmac('sha256', secret).update('tiered-rdds address').digest(),
  )
  const mac = (roid: string, ldhName: string, role: string) =>
    createHmac('sha256', macKey).update(`${roid}\u0000${ldhName}\u0000${role}`)
  // a domain's contacts are disclosed one after another: its name's key is worked out once
  let lastName: string | undefined
  let lastKey = ''
  return {
    make(roid, ldhName, role) {
      if (ldhName !== lastName) {
        lastName = ldhName
        lastKey = hash('sha256', ldhName, 'hex').slice(0, 16)
      }
      return (
        lastKey + (ROLE_HEX[role] ?? 'ff') + mac(roid, ldhName, role).digest('hex').slice(0, 14)
      )
    },
    read(token) {
      if (!/^[0-9a-f]{32}$/.test(token)) return undefined
      const bytes = Buffer.from(token, 'hex')
      const role = CONTACT_ROLES[bytes[8]!]
      if (!role) return undefined
      return { nameKey: bytes.subarray(0, 8), role, mac: bytes.subarray(9, 16) }
    },
    verifies(token, roid, ldhName, role) {
      const expected = mac(roid, ldhName, role).digest().subarray(0, 7)
      return expected.length === token.mac.length && timingSafeEqual(expected, token.mac)
    },
  }
}
