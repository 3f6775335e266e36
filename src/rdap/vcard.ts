import type { ContactRole } from '../domain/registration.js'
import type { DisclosedContact, DisclosedRegistrar, Withheld } from '../policy/disclosure.js'
import type { Entity, JCardProperty, Redacted, VCardArray } from './model.js'
import { contactEntry, entry, roleHolder } from './redacted.js'

export interface RenderedEntity {
  /** absent when the whole contact is left out */
  readonly entity?: Entity
  readonly redacted: readonly Redacted[]
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

const NO_PARAMS = Object.freeze({})
const VOICE = Object.freeze({ type: 'voice' })
const FAX = Object.freeze({ type: 'fax' })
const VERSION: JCardProperty = ['version', NO_PARAMS, 'text', '4.0']

/** RFC 6350 §6.3.1 adr value: PO box, extended, street (one line or several), city, region, code, country */
function adrValue(a: {
  street?: readonly string[] | null
  city?: string | null
  stateProvince?: string | null
  postalCode?: string | null
}): JCardProperty[3] {
  const street = a.street && a.street.length > 1 ? a.street : (a.street?.[0] ?? '')
  return ['', '', street, a.city ?? '', a.stateProvince ?? '', a.postalCode ?? '', '']
}

/** jCard (RFC 7095) of a disclosed contact; absent fields are simply not there */
export function contactVcard(c: DisclosedContact, withheld: readonly Withheld[]): VCardArray {
  const props: JCardProperty[] = [VERSION, ['fn', NO_PARAMS, 'text', c.name ?? '']]
  if (c.organization !== undefined) props.push(['org', NO_PARAMS, 'text', c.organization ?? ''])
  if (hasAddress(c)) {
    // RDAP Response Profile 2024 §1.4: country name empty, ISO 3166-1 code in the cc parameter
    const params = filled(c.countryCode) ? { cc: c.countryCode!.toUpperCase() } : NO_PARAMS
    props.push(['adr', params, 'text', adrValue(c)])
  }
  if (filled(c.phone)) props.push(['tel', VOICE, 'uri', telUri(c.phone!, c.phoneExt)])
  if (filled(c.fax)) props.push(['tel', FAX, 'uri', telUri(c.fax!, c.faxExt)])
  if (filled(c.email)) {
    const replacedByUri = withheld.some((w) => w.key === 'email' && w.replacement?.kind === 'uri')
    // RFC 8605 contact-uri for a web form; an anonymized address stays an email property
    props.push(
      replacedByUri
        ? ['contact-uri', NO_PARAMS, 'uri', c.email!]
        : ['email', NO_PARAMS, 'text', c.email!],
    )
  }
  return ['vcard', props]
}

const hasAddress = (c: DisclosedContact): boolean => ADR_KEYS.some((k) => c[k] !== undefined)

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
  const hasAdr = hasAddress(c)
  const redacted = withheld.map((w) => {
    // a component of a rendered adr cannot be removed, only emptied (RFC 6350 §6.3.1 positions)
    const adrPart = ['street', 'city', 'stateProvince', 'postalCode'].includes(w.key)
    const method = adrPart && hasAdr ? 'emptyValue' : adrPart ? 'removal' : w.method
    return contactEntry(holder, w, method)
  })
  const entity: Entity = {
    objectClassName: 'entity',
    handle: c.roid || undefined,
    roles: role ? [role] : undefined,
    vcardArray: contactVcard(c, withheld),
  }
  return { entity, redacted }
}

/** the registrar's jCard: name, and for a registrar lookup its business address and contacts */
export function registrarVcard(r: DisclosedRegistrar, full: boolean): VCardArray {
  const props: JCardProperty[] = [VERSION, ['fn', NO_PARAMS, 'text', r.name ?? '']]
  if (full) {
    if (r.street || r.city || r.countryCode) {
      const params = r.countryCode ? { cc: r.countryCode } : NO_PARAMS
      props.push(['adr', params, 'text', adrValue(r)])
    }
    if (r.phone) props.push(['tel', VOICE, 'uri', telUri(r.phone)])
    if (r.email) props.push(['email', NO_PARAMS, 'text', r.email])
    if (r.url) props.push(['url', NO_PARAMS, 'uri', r.url])
  }
  return ['vcard', props]
}

/** a contact of the registrar's (abuse) as a jCard: RDAP Response Profile 2024 §2.4.5 */
export function abuseVcard(r: DisclosedRegistrar): VCardArray {
  const props: JCardProperty[] = [VERSION, ['fn', NO_PARAMS, 'text', 'Abuse Contact']]
  if (r.abusePhone) props.push(['tel', VOICE, 'uri', telUri(r.abusePhone)])
  if (r.abuseEmail) props.push(['email', NO_PARAMS, 'text', r.abuseEmail])
  return ['vcard', props]
}
