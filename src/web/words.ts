import type { Audience } from '../domain/audience.js'
import type { Condition } from '../policy/conditions.js'
import type { Method } from '../policy/fields.js'

// What the pages say of the registry's vocabulary, in words for people rather than for machines.

export const AUDIENCE_WORDS: Readonly<Record<Audience, string>> = {
  public: 'the public',
  registrar: 'the sponsoring registrar',
  'accredited:law-enforcement': 'accredited law enforcement',
  'accredited:cybersecurity': 'accredited cybersecurity researchers',
  'accredited:ip-protection': 'accredited intellectual-property holders',
  'accredited:consumer-protection': 'accredited consumer-protection bodies',
}

/** column headings of the workbench */
export const AUDIENCE_TITLES: Readonly<Record<Audience, string>> = {
  public: 'Public',
  registrar: 'You (sponsoring registrar)',
  'accredited:law-enforcement': 'Law enforcement',
  'accredited:cybersecurity': 'Cybersecurity',
  'accredited:ip-protection': 'IP protection',
  'accredited:consumer-protection': 'Consumer protection',
}

export const CONDITION_WORDS: Readonly<Record<Condition, string>> = {
  contactConsented: 'the contact consents to publish it',
  legalPerson: 'the holder is a legal person',
  outsideScope: 'the contact is outside the countries the policy covers',
}

/** RFC 9537 §3 methods, as the pages name them */
export const METHOD_WORDS: Readonly<Record<Method, string>> = {
  removal: 'removed',
  emptyValue: 'emptied',
  replacementValue: 'replaced',
}

/** EPP statuses (RFC 5731 §2.3, RFC 3915) in words */
export const STATUS_WORDS: Readonly<Record<string, string>> = {
  ok: 'Active',
  inactive: 'Inactive: not delegated to name servers',
  linked: 'In use by a domain',
  addPeriod: 'Newly registered (grace period)',
  autoRenewPeriod: 'Renewed automatically (grace period)',
  renewPeriod: 'Renewed (grace period)',
  transferPeriod: 'Transferred (grace period)',
  redemptionPeriod: 'Deleted; the holder can still restore it',
  pendingCreate: 'Registration pending',
  pendingDelete: 'Deletion pending',
  pendingRenew: 'Renewal pending',
  pendingRestore: 'Restore pending',
  pendingTransfer: 'Transfer to another registrar pending',
  pendingUpdate: 'Change pending',
  clientDeleteProhibited: 'Locked against deletion by the registrar',
  clientRenewProhibited: 'Locked against renewal by the registrar',
  clientTransferProhibited: 'Locked against transfer by the registrar',
  clientUpdateProhibited: 'Locked against changes by the registrar',
  serverDeleteProhibited: 'Locked against deletion by the registry',
  serverRenewProhibited: 'Locked against renewal by the registry',
  serverTransferProhibited: 'Locked against transfer by the registry',
  serverUpdateProhibited: 'Locked against changes by the registry',
  clientHold: 'Not published in the DNS (held by the registrar)',
  serverHold: 'Not published in the DNS (held by the registry)',
}

const ADDRESS_LABELS = {
  street: 'Street',
  city: 'City',
  stateProvince: 'State or province',
  postalCode: 'Postal code',
  countryCode: 'Country',
} as const

export const CONTACT_TITLES = {
  registrant: 'Registrant',
  administrative: 'Administrative contact',
  technical: 'Technical contact',
  billing: 'Billing contact',
} as const

export const CONTACT_LABELS = {
  roid: 'Contact ID',
  name: 'Name',
  organization: 'Organization',
  ...ADDRESS_LABELS,
  phone: 'Phone',
  phoneExt: 'Phone extension',
  fax: 'Fax',
  faxExt: 'Fax extension',
  email: 'E-mail',
} as const

export const REGISTRAR_LABELS = {
  name: 'Name',
  url: 'Web site',
  whoisServer: 'WHOIS server',
  rdapBaseUrl: 'RDAP service',
  abuseEmail: 'Abuse contact e-mail',
  abusePhone: 'Abuse contact phone',
  ...ADDRESS_LABELS,
  phone: 'Phone',
  email: 'E-mail',
} as const

/** the UTC time people read: date, time to the second */
export function humanTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ') + ' UTC'
}
