import type { ContactRole } from '../domain/registration.js'
import { utcSeconds } from '../domain/time.js'
import type {
  DisclosedContact,
  DisclosedRegistrar,
  Disclosure,
  Withheld,
} from '../policy/disclosure.js'
import { withheldByGroup } from '../policy/disclosure.js'

/** what the text needs beyond the disclosure; no clock is read while rendering */
export interface WhoisContext {
  readonly now: Date
  readonly termsOfUse: string
}

/** the legal disclaimer every answer ends with (RST grammar: at least one line) */
export const WHOIS_TERMS_OF_USE =
  "Registration data is provided for lawful purposes only. Personal data of natural persons is withheld from the public under the registry's disclosure policy; accredited access is available over RDAP. Bulk or automated harvesting is prohibited."

export const REDACTED = 'REDACTED FOR PRIVACY'
// Temporary Specification App. A §2.5.1 registry message, as ICANN's RST tool expects it
export const EMAIL_REFERRAL =
  'Please query the RDDS service of the Registrar of Record identified in this output for information on how to contact the Registrant, Admin, or Tech contact of the queried domain name.'

type Line = readonly [label: string, value: string]

/** values are cleansed of control characters so stored data cannot forge lines */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const ALL_UNSAFE = new RegExp(UNSAFE.source, 'g')
function clean(value: string): string {
  // a test costs less than a replace that finds nothing, and nearly every value is clean
  return (UNSAFE.test(value) ? value.replace(ALL_UNSAFE, ' ') : value).trim()
}

function toText(lines: readonly Line[]): string {
  let text = ''
  for (const [label, value] of lines) {
    const shown = clean(value) // trimmed, so only an empty value leaves a trailing space to drop
    text += label === '' ? shown : shown === '' ? `${label}:` : `${label}: ${shown}`
    text += '\r\n'
  }
  return text
}

function footer(ctx: WhoisContext): Line[] {
  return [
    ['URL of the ICANN Whois Inaccuracy Complaint Form', 'https://www.icann.org/wicf/'],
    ['', `>>> Last update of WHOIS database: ${utcSeconds(ctx.now)} <<<`],
    ['', ''],
    ['', 'For more information on Whois status codes, please visit https://icann.org/epp'],
    ['', ''],
    ['Terms of Use', ctx.termsOfUse],
  ]
}

const BLOCK: Readonly<Record<Exclude<ContactRole, 'billing'> | 'billing', string>> = {
  registrant: 'Registrant',
  administrative: 'Admin',
  technical: 'Tech',
  billing: 'Billing',
}

type WithheldByKey = ReadonlyMap<string, Withheld>

/** what a contact line shows: the stand-in for a withheld field, else the value if there is one */
function contactValue(
  c: DisclosedContact,
  withheld: WithheldByKey | undefined,
  key: keyof DisclosedContact,
): string | undefined {
  const w = withheld?.get(key)
  if (w) {
    if (w.replacement) return w.replacement.value
    return key === 'email' ? EMAIL_REFERRAL : REDACTED
  }
  const v = c[key]
  return typeof v === 'string' && v !== '' ? v : undefined
}

function addLine(lines: Line[], label: string, value: string | null | undefined): void {
  if (value) lines.push([label, value])
}

function addPresent(lines: Line[], label: string, value: string | undefined): void {
  if (value !== undefined) lines.push([label, value])
}

/** the 13 labelled lines of a contact (RDDS Consistent Labeling and Display order) */
function contactBlock(
  lines: Line[],
  role: ContactRole,
  c: DisclosedContact | undefined,
  withheld: WithheldByKey | undefined,
): void {
  const prefix = BLOCK[role]
  if (!c) {
    lines.push([`${prefix} Email`, EMAIL_REFERRAL]) // RST grammar: the Email line always stands
    return
  }
  addPresent(lines, `Registry ${prefix} ID`, contactValue(c, withheld, 'roid'))
  addPresent(lines, `${prefix} Name`, contactValue(c, withheld, 'name'))
  addPresent(lines, `${prefix} Organization`, contactValue(c, withheld, 'organization'))
  if (withheld?.has('street')) lines.push([`${prefix} Street`, REDACTED])
  else for (const s of c.street ?? []) addPresent(lines, `${prefix} Street`, s)
  addPresent(lines, `${prefix} City`, contactValue(c, withheld, 'city'))
  addPresent(lines, `${prefix} State/Province`, contactValue(c, withheld, 'stateProvince'))
  addPresent(lines, `${prefix} Postal Code`, contactValue(c, withheld, 'postalCode'))
  addPresent(lines, `${prefix} Country`, contactValue(c, withheld, 'countryCode'))
  addPresent(lines, `${prefix} Phone`, contactValue(c, withheld, 'phone'))
  addPresent(lines, `${prefix} Phone Ext`, contactValue(c, withheld, 'phoneExt'))
  addPresent(lines, `${prefix} Fax`, contactValue(c, withheld, 'fax'))
  addPresent(lines, `${prefix} Fax Ext`, contactValue(c, withheld, 'faxExt'))
  lines.push([`${prefix} Email`, contactValue(c, withheld, 'email') ?? EMAIL_REFERRAL])
}

function registrarLines(lines: Line[], r: DisclosedRegistrar): void {
  addLine(lines, 'Registrar', r.name)
  lines.push(['Registrar IANA ID', String(r.ianaId)])
  addLine(lines, 'Registrar Abuse Contact Email', r.abuseEmail)
  addLine(lines, 'Registrar Abuse Contact Phone', r.abusePhone)
}

/** Registry Agreement Spec. 4 §1.5 domain reply, field order as ICANN's RST grammar checks it */
export function renderWhoisDomain(d: Disclosure, ctx: WhoisContext): string {
  if (d.record.kind !== 'domain') throw new Error('renderWhoisDomain needs a domain disclosure')
  const dom = d.record.domain
  const r = dom.registrar
  const lines: Line[] = [['Domain Name', dom.ldhName.toUpperCase()]]
  if (dom.unicodeName) lines.push(['Internationalized Domain Name', dom.unicodeName])
  if (dom.roid) lines.push(['Registry Domain ID', dom.roid])
  if (r.whoisServer) lines.push(['Registrar WHOIS Server', r.whoisServer])
  if (r.url) lines.push(['Registrar URL', r.url])
  if (dom.updated) lines.push(['Updated Date', utcSeconds(dom.updated)])
  if (dom.created) lines.push(['Creation Date', utcSeconds(dom.created)])
  if (dom.expires) lines.push(['Registry Expiry Date', utcSeconds(dom.expires)])
  registrarLines(lines, r)
  for (const s of dom.statuses ?? [])
    lines.push(['Domain Status', `${s} https://icann.org/epp#${s}`])
  const withheld = withheldByGroup(d.withheld)
  for (const role of ['registrant', 'administrative', 'technical'] as const) {
    contactBlock(lines, role, dom.contacts[role], withheld.get(role))
  }
  const billing = dom.contacts.billing
  if (billing && Object.values(billing).some((v) => typeof v === 'string' && v !== '')) {
    contactBlock(lines, 'billing', billing, withheld.get('billing'))
  }
  for (const ns of dom.nameservers ?? []) lines.push(['Name Server', ns.ldhName.toUpperCase()])
  lines.push(['DNSSEC', dom.secureDns?.delegationSigned ? 'signedDelegation' : 'unsigned'])
  return toText([...lines, ...footer(ctx)])
}

/** Spec. 4 §1.6 name server reply */
export function renderWhoisNameserver(d: Disclosure, ctx: WhoisContext): string {
  if (d.record.kind !== 'host') throw new Error('renderWhoisNameserver needs a host disclosure')
  const h = d.record.host
  const lines: Line[] = [['Server Name', h.ldhName.toUpperCase()]]
  for (const ip of [...(h.ipv4 ?? []), ...(h.ipv6 ?? [])]) lines.push(['IP Address', ip])
  if (h.registrar.name) lines.push(['Registrar', h.registrar.name])
  if (h.registrar.whoisServer) lines.push(['Registrar WHOIS Server', h.registrar.whoisServer])
  if (h.registrar.url) lines.push(['Registrar URL', h.registrar.url])
  return toText([...lines, ...footer(ctx)])
}

/** Spec. 4 §1.7 registrar reply */
export function renderWhoisRegistrar(d: Disclosure, ctx: WhoisContext): string {
  if (d.record.kind !== 'registrar')
    throw new Error('renderWhoisRegistrar needs a registrar disclosure')
  const r = d.record.registrar
  const lines: Line[] = []
  addLine(lines, 'Registrar', r.name)
  for (const s of r.street ?? []) addLine(lines, 'Street', s)
  addLine(lines, 'City', r.city)
  addLine(lines, 'State/Province', r.stateProvince)
  addLine(lines, 'Postal Code', r.postalCode)
  addLine(lines, 'Country', r.countryCode)
  addLine(lines, 'Phone Number', r.phone)
  addLine(lines, 'Email', r.email)
  addLine(lines, 'Registrar WHOIS Server', r.whoisServer)
  addLine(lines, 'Registrar URL', r.url)
  lines.push(['Registrar IANA ID', String(r.ianaId)])
  return toText([...lines, ...footer(ctx)])
}

export function renderWhoisNotFound(asked: string, ctx: WhoisContext, reason?: string): string {
  return toText([
    ['', `No match for "${asked.toUpperCase()}".`],
    ...(reason ? [['', reason] as Line] : []),
    ...footer(ctx),
  ])
}

export function renderWhoisList(
  title: string,
  items: readonly string[],
  ctx: WhoisContext,
): string {
  return toText([['', title], ...items.map((i): Line => ['', i]), ['', ''], ...footer(ctx)])
}

export function renderWhoisHelp(ctx: WhoisContext, tlds: readonly string[] = []): string {
  return toText([
    ['', 'Queries: <domain name> | nameserver <host name> | registrar <name or IANA id>'],
    ...(tlds.length ? [['', `TLDs served: ${tlds.join(', ')}`] as Line] : []),
    [
      '',
      'Port 43 serves the public view only; accredited access is available over RDAP with a bearer token.',
    ],
    ['', ''],
    ...footer(ctx),
  ])
}

export function whoisErrorLine(message: string): string {
  return `Error: ${clean(message)}\r\n`
}
