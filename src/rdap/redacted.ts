import type { Redacted } from './model.js'
import type { Withheld } from '../policy/disclosure.js'

/** an RFC 9537 §4.2 redaction member */
export type RedactedEntry = Redacted

const ROLE_LABEL: Readonly<Record<string, string>> = {
  registrant: 'Registrant',
  administrative: 'Admin',
  technical: 'Tech',
  billing: 'Billing',
  contact: 'Contact',
}

// IANA "redacted name" values registered for ICANN (RDAP Response Profile 2024 §2.7.4-2.7.6)
const REGISTERED: Readonly<Record<string, string>> = {
  'domain.roid': 'Registry Domain ID',
  'registrant.roid': 'Registry Registrant ID',
  'registrant.name': 'Registrant Name',
  'registrant.organization': 'Registrant Organization',
  'registrant.street': 'Registrant Street',
  'registrant.city': 'Registrant City',
  'registrant.postalCode': 'Registrant Postal Code',
  'registrant.phone': 'Registrant Phone',
  'registrant.phoneExt': 'Registrant Phone Ext',
  'registrant.fax': 'Registrant Fax',
  'registrant.faxExt': 'Registrant Fax Ext',
  'registrant.email': 'Registrant Email',
  'technical.roid': 'Registry Tech ID',
  'technical.name': 'Tech Name',
  'technical.phone': 'Tech Phone',
  'technical.phoneExt': 'Tech Phone Ext',
  'technical.email': 'Tech Email',
}

const KEY_LABEL: Readonly<Record<string, string>> = {
  roid: 'ID',
  name: 'Name',
  organization: 'Organization',
  street: 'Street',
  city: 'City',
  stateProvince: 'State/Province',
  postalCode: 'Postal Code',
  countryCode: 'Country',
  phone: 'Phone',
  phoneExt: 'Phone Ext',
  fax: 'Fax',
  faxExt: 'Fax Ext',
  email: 'Email',
}

/** the registered name, or a description for what IANA has no name for (admin, billing, ...) */
export function redactedName(w: Withheld): RedactedEntry['name'] {
  const registered = REGISTERED[w.path]
  if (registered) return { type: registered }
  const role = ROLE_LABEL[w.group]
  const label = role ? `${role} ${KEY_LABEL[w.key] ?? w.key}` : w.path
  return { description: label }
}

/** JSONPath (RFC 9535) of the jCard properties of the entity `holder` ('$' or a role filter) */
export function vcardPath(holder: string, property: string): string {
  return `${holder}.vcardArray[1][?(@[0]=='${property}')]`
}

export function roleHolder(role: string): string {
  return `$.entities[?(@.roles[0]=='${role}')]`
}

const ADR_INDEX: Readonly<Record<string, string>> = {
  street: '[3][:3]',
  city: '[3][3]',
  stateProvince: '[3][4]',
  postalCode: '[3][5]',
}

/** where a withheld contact field was, or is, in the response (ICANN's path forms) */
export function contactPaths(
  holder: string,
  w: Withheld,
  method: RedactedEntry['method'],
): Partial<RedactedEntry> {
  const adr = ADR_INDEX[w.key]
  switch (w.key) {
    case 'roid':
      return { prePath: `${holder}.handle` }
    case 'name':
      return { postPath: `${vcardPath(holder, 'fn')}[3]` }
    case 'organization':
      return method === 'emptyValue'
        ? { postPath: `${vcardPath(holder, 'org')}[3]` }
        : { prePath: vcardPath(holder, 'org') }
    case 'countryCode':
      return { prePath: `${vcardPath(holder, 'adr')}[1].cc` }
    case 'phone':
      return { prePath: `${holder}.vcardArray[1][?(@[1].type=='voice')]` }
    case 'fax':
      return { prePath: `${holder}.vcardArray[1][?(@[1].type=='fax')]` }
    case 'phoneExt':
    case 'faxExt':
      return {}
    case 'email':
      if (method === 'removal') return { prePath: vcardPath(holder, 'email') }
      return w.replacement?.kind === 'uri'
        ? { prePath: vcardPath(holder, 'email'), replacementPath: vcardPath(holder, 'contact-uri') }
        : { postPath: `${vcardPath(holder, 'email')}[3]` }
    default:
      if (adr)
        return method === 'emptyValue'
          ? { postPath: `${vcardPath(holder, 'adr')}${adr}` }
          : { prePath: `${vcardPath(holder, 'adr')}${adr}` }
      return {}
  }
}

const REASON = Object.freeze({ description: 'Server policy' })

export function entry(
  name: RedactedEntry['name'],
  method: RedactedEntry['method'],
  paths: Partial<RedactedEntry>,
): RedactedEntry {
  return { name, ...paths, pathLang: 'jsonpath', method, reason: REASON }
}

// holder → field path → method (and replacement kind) → entry. Nested maps, not one joined key: no
// key string is built for each of a response's entries.
const contactEntries = new Map<string, Map<string, Map<string, RedactedEntry>>>()

/**
 * The entry for a withheld contact field. Entries depend only on where the field sits and how it
 * was withheld, never on its value, so each is built once and shared.
 */
export function contactEntry(
  holder: string,
  w: Withheld,
  method: RedactedEntry['method'],
): RedactedEntry {
  let byPath = contactEntries.get(holder)
  if (!byPath) contactEntries.set(holder, (byPath = new Map()))
  let byMethod = byPath.get(w.path)
  if (!byMethod) byPath.set(w.path, (byMethod = new Map()))
  const variant = w.replacement ? `${method} ${w.replacement.kind}` : method
  let e = byMethod.get(variant)
  if (!e) {
    e = Object.freeze(entry(redactedName(w), method, contactPaths(holder, w, method)))
    byMethod.set(variant, e)
  }
  return e
}
