import type { ContactRole } from '../domain/registration.js'
import type { DisclosedContact, DisclosedRegistrar, Withheld } from '../policy/engine.js'
import { contactEntry, entry, roleHolder, type RedactedEntry } from './redacted.js'

export type JCardProperty = readonly [string, Readonly<Record<string, string>>, string, unknown]
export type JCard = readonly ['vcard', readonly JCardProperty[]]

export interface RenderedEntity {
  readonly entity?: Record<string, unknown>
  readonly redacted: readonly RedactedEntry[]
}

const ADR_KEYS = ['street', 'city', 'stateProvince', 'postalCode', 'countryCode'] as const
const ROLE_NAME: Readonly<Record<ContactRole, string>> = {
  registrant: 'Registrant',
  administrative: 'Administrative',
  technical: 'Technical',
  billing: 'Billing',
}

const filled = (v: unknown): boolean =>
  Array.isArray(v) ? v.length > 0 : typeof v === 'string' && v !== ''

/** jCard (RFC 7095) of a disclosed contact; absent fields are simply not there */
export function contactVcard(c: DisclosedContact, withheld: readonly Withheld[]): JCard {
  const props: JCardProperty[] = [
    ['version', {}, 'text', '4.0'],
    ['fn', {}, 'text', c.name ?? ''],
  ]
  if (c.organization !== undefined) props.push(['org', {}, 'text', c.organization])
  if (ADR_KEYS.some((k) => c[k] !== undefined)) {
    const street = c.street && c.street.length > 1 ? [...c.street] : (c.street?.[0] ?? '')
    // RDAP Response Profile 2024 §1.4: country name empty, ISO 3166-1 code in the cc parameter
    const params: Record<string, string> = filled(c.countryCode)
      ? { cc: c.countryCode!.toUpperCase() }
      : {}
    props.push([
      'adr',
      params,
      'text',
      ['', '', street, c.city ?? '', c.stateProvince ?? '', c.postalCode ?? '', ''],
    ])
  }
  if (filled(c.phone)) props.push(['tel', { type: 'voice' }, 'uri', telUri(c.phone!, c.phoneExt)])
  if (filled(c.fax)) props.push(['tel', { type: 'fax' }, 'uri', telUri(c.fax!, c.faxExt)])
  if (filled(c.email)) {
    const replacedByUri = withheld.some((w) => w.key === 'email' && w.replacement?.kind === 'uri')
    // RFC 8605 contact-uri for a web form; an anonymized address stays an email property
    props.push(
      replacedByUri ? ['contact-uri', {}, 'uri', c.email!] : ['email', {}, 'text', c.email!],
    )
  }
  return ['vcard', props]
}

/** "+49.2214711" → "tel:+49.2214711;ext=12" (RFC 3966) */
export function telUri(number: string, ext?: string | null): string {
  return `tel:${number.replace(/\s+/g, '')}${ext ? `;ext=${ext}` : ''}`
}

/**
 * A contact entity with its RFC 9537 entries. `holder` is the JSONPath of the entity in the
 * response ('$' when it is the topmost object). A contact in a role other than registrant whose
 * every value is withheld is left out whole, with one entry saying so.
 */
export function renderContact(
  c: DisclosedContact,
  withheld: readonly Withheld[],
  role: ContactRole | null,
  holder: string,
): RenderedEntity {
  const anyValue = Object.values(c).some(filled)
  if (role && role !== 'registrant' && !anyValue) {
    const name = { description: `${ROLE_NAME[role]} Contact` }
    return {
      redacted: withheld.length ? [entry(name, 'removal', { prePath: roleHolder(role) })] : [],
    }
  }
  const vcard = contactVcard(c, withheld)
  const hasAdr = vcard[1].some((p) => p[0] === 'adr')
  const redacted = withheld.map((w) => {
    // a component of a rendered adr cannot be removed, only emptied (RFC 6350 §6.3.1 positions)
    const adrPart = ['street', 'city', 'stateProvince', 'postalCode'].includes(w.key)
    const method = adrPart && hasAdr ? 'emptyValue' : adrPart ? 'removal' : w.method
    return contactEntry(holder, w, method)
  })
  const entity = {
    objectClassName: 'entity',
    ...(c.roid ? { handle: c.roid } : {}),
    ...(role ? { roles: [role] } : {}),
    vcardArray: vcard,
  }
  return { entity, redacted }
}

/** the registrar's jCard: name, and for a registrar lookup its business address and contacts */
export function registrarVcard(r: DisclosedRegistrar, full: boolean): JCard {
  const props: JCardProperty[] = [
    ['version', {}, 'text', '4.0'],
    ['fn', {}, 'text', r.name ?? ''],
  ]
  if (full) {
    if (r.street || r.city || r.countryCode) {
      const street = r.street && r.street.length > 1 ? [...r.street] : (r.street?.[0] ?? '')
      const params: Record<string, string> = r.countryCode ? { cc: r.countryCode } : {}
      props.push([
        'adr',
        params,
        'text',
        ['', '', street, r.city ?? '', r.stateProvince ?? '', r.postalCode ?? '', ''],
      ])
    }
    if (r.phone) props.push(['tel', { type: 'voice' }, 'uri', telUri(r.phone)])
    if (r.email) props.push(['email', {}, 'text', r.email])
    if (r.url) props.push(['url', {}, 'uri', r.url])
  }
  return ['vcard', props]
}
