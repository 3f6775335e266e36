/** Registry vocabulary: plain readonly data, as stored. RDAP and WHOIS names live in the renderers. */

export const CONTACT_ROLES = ['registrant', 'administrative', 'technical', 'billing'] as const
export type ContactRole = (typeof CONTACT_ROLES)[number]

/** what a contact agreed to publish (Temporary Specification App. A §2.3: consent to publish) */
export const CONSENT_GROUPS = ['name', 'organization', 'address', 'phone', 'email'] as const
export type ConsentGroup = (typeof CONSENT_GROUPS)[number]

/** a postal address as registries store it (RFC 5733 postalInfo) */
export interface PostalAddress {
  readonly street: readonly string[]
  readonly city: string | null
  readonly stateProvince: string | null
  readonly postalCode: string | null
  readonly countryCode: string | null
}

export interface Contact extends PostalAddress {
  readonly roid: string
  readonly name: string | null
  readonly organization: string | null
  readonly phone: string | null
  readonly phoneExt: string | null
  readonly fax: string | null
  readonly faxExt: string | null
  readonly email: string | null
  readonly personKind: 'natural' | 'legal'
  readonly consent: readonly ConsentGroup[]
  readonly registrarIanaId: number
  readonly created: Date
  readonly updated: Date | null
}

export interface Registrar extends PostalAddress {
  readonly ianaId: number
  readonly handle: string
  readonly name: string
  readonly url: string | null
  readonly whoisServer: string | null
  readonly rdapBaseUrl: string | null
  readonly abuseEmail: string | null
  readonly abusePhone: string | null
  readonly phone: string | null
  readonly email: string | null
  readonly status: 'active' | 'suspended' | 'terminated'
  readonly created: Date
  readonly updated: Date | null
}

export interface DsRecord {
  readonly keyTag: number
  readonly algorithm: number
  readonly digestType: number
  readonly digest: string
}

export interface DnsKey {
  readonly flags: number
  readonly protocol: number
  readonly algorithm: number
  readonly publicKey: string
}

export interface SecureDns {
  readonly delegationSigned: boolean
  readonly dsData: readonly DsRecord[]
  readonly keyData: readonly DnsKey[]
}

export interface NameserverRef {
  readonly ldhName: string
  readonly unicodeName: string | null
  /** glue given with the domain (RFC 5731 hostAttr); a host object's addresses are its own */
  readonly ipv4?: readonly string[]
  readonly ipv6?: readonly string[]
}

export interface Host {
  readonly roid: string
  readonly ldhName: string
  readonly unicodeName: string | null
  readonly ipv4: readonly string[]
  readonly ipv6: readonly string[]
  readonly statuses: readonly string[]
  readonly registrar: Registrar
  readonly created: Date
  readonly updated: Date | null
}

export interface Domain {
  readonly roid: string
  readonly ldhName: string
  readonly unicodeName: string | null
  readonly statuses: readonly string[]
  readonly created: Date
  readonly updated: Date | null
  readonly expires: Date
  readonly transferred: Date | null
  readonly registrar: Registrar
  readonly contacts: Readonly<Partial<Record<ContactRole, Contact>>>
  readonly nameservers: readonly NameserverRef[]
  readonly secureDns: SecureDns
}

/** any object a lookup can return; `kind` selects the catalogue the policy engine walks */
export type RegistryObject =
  | { readonly kind: 'domain'; readonly domain: Domain }
  | { readonly kind: 'host'; readonly host: Host }
  | { readonly kind: 'contact'; readonly contact: Contact }
  | { readonly kind: 'registrar'; readonly registrar: Registrar }

/**
 * Which contacts a test selects: all, or those of which one of these holds. What a policy's
 * conditions become when a query, not a record in hand, must apply them (searches).
 */
export interface ContactTest {
  readonly always: boolean
  /** the contact consented to publish this group */
  readonly consented?: ConsentGroup
  readonly legalPerson?: boolean
  /** the contact's country is a valid code outside these */
  readonly outsideCountries?: readonly string[]
}
