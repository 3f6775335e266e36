import type { ContactRole } from '../domain/registration.js'
import type {
  DisclosedContact,
  DisclosedRegistrar,
  Disclosure,
  Withheld,
} from '../policy/engine.js'

/** what the text needs beyond the disclosure; no clock is read while rendering */
export interface WhoisContext {
  readonly now: Date
  readonly termsOfUse: string
}

export const REDACTED = 'REDACTED FOR PRIVACY'
// Temporary Specification App. A §2.5.1 registry message, as ICANN's RST tool expects it
export const EMAIL_REFERRAL =
  'Please query the RDDS service of the Registrar of Record identified in this output for information on how to contact the Registrant, Admin, or Tech contact of the queried domain name.'

type Line = readonly [label: string, value: string]

/** values are cleansed of control characters so stored data cannot forge lines */
const clean = (value: string): string =>
  value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim()
const date = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

function toText(lines: readonly Line[]): string {
  return (
    lines
      .map(([label, value]) =>
        (label === '' ? clean(value) : `${label}: ${clean(value)}`).trimEnd(),
      )
      .join('\r\n') + '\r\n'
  )
}

function footer(ctx: WhoisContext): Line[] {
  return [
    ['URL of the ICANN Whois Inaccuracy Complaint Form', 'https://www.icann.org/wicf/'],
    ['', `>>> Last update of WHOIS database: ${date(ctx.now)} <<<`],
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

/** the 13 labelled lines of a contact (RDDS Consistent Labeling and Display order) */
function contactBlock(
  role: ContactRole,
  c: DisclosedContact | undefined,
  withheld: readonly Withheld[],
): Line[] {
  const prefix = BLOCK[role]
  const mine = withheld.filter((w) => w.group === role)
  const value = (key: keyof DisclosedContact): string | undefined => {
    const w = mine.find((x) => x.key === key)
    if (w) {
      if (w.replacement) return w.replacement.value
      return key === 'email' ? EMAIL_REFERRAL : REDACTED
    }
    const v = c?.[key]
    return typeof v === 'string' && v !== '' ? v : undefined
  }
  if (!c) return [[`${prefix} Email`, EMAIL_REFERRAL]] // RST grammar: the Email line always stands
  const lines: Line[] = []
  const add = (label: string, v: string | undefined) => v !== undefined && lines.push([label, v])
  add(`Registry ${prefix} ID`, value('roid'))
  add(`${prefix} Name`, value('name'))
  add(`${prefix} Organization`, value('organization'))
  if (mine.some((w) => w.key === 'street')) add(`${prefix} Street`, REDACTED)
  else for (const s of c.street ?? []) add(`${prefix} Street`, s)
  add(`${prefix} City`, value('city'))
  add(`${prefix} State/Province`, value('stateProvince'))
  add(`${prefix} Postal Code`, value('postalCode'))
  add(`${prefix} Country`, value('countryCode'))
  add(`${prefix} Phone`, value('phone'))
  add(`${prefix} Phone Ext`, value('phoneExt'))
  add(`${prefix} Fax`, value('fax'))
  add(`${prefix} Fax Ext`, value('faxExt'))
  lines.push([`${prefix} Email`, value('email') ?? EMAIL_REFERRAL])
  return lines
}

function registrarLines(r: DisclosedRegistrar): Line[] {
  const lines: Line[] = []
  const add = (label: string, v: string | null | undefined) => v && lines.push([label, v])
  add('Registrar', r.name)
  lines.push(['Registrar IANA ID', String(r.ianaId)])
  add('Registrar Abuse Contact Email', r.abuseEmail)
  add('Registrar Abuse Contact Phone', r.abusePhone)
  return lines
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
  if (dom.updated) lines.push(['Updated Date', date(dom.updated)])
  if (dom.created) lines.push(['Creation Date', date(dom.created)])
  if (dom.expires) lines.push(['Registry Expiry Date', date(dom.expires)])
  lines.push(...registrarLines(r))
  for (const s of dom.statuses ?? [])
    lines.push(['Domain Status', `${s} https://icann.org/epp#${s}`])
  for (const role of ['registrant', 'administrative', 'technical'] as const) {
    lines.push(...contactBlock(role, dom.contacts[role], d.withheld))
  }
  const billing = dom.contacts.billing
  if (billing && Object.values(billing).some((v) => typeof v === 'string' && v !== '')) {
    lines.push(...contactBlock('billing', billing, d.withheld))
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
  const add = (label: string, v: string | null | undefined) => v && lines.push([label, v])
  add('Registrar', r.name)
  for (const s of r.street ?? []) add('Street', s)
  add('City', r.city)
  add('State/Province', r.stateProvince)
  add('Postal Code', r.postalCode)
  add('Country', r.countryCode)
  add('Phone Number', r.phone)
  add('Email', r.email)
  add('Registrar WHOIS Server', r.whoisServer)
  add('Registrar URL', r.url)
  lines.push(['Registrar IANA ID', String(r.ianaId)])
  return toText([...lines, ...footer(ctx)])
}

export function renderWhoisNotFound(asked: string, ctx: WhoisContext): string {
  return toText([['', `No match for "${asked.toUpperCase()}".`], ...footer(ctx)])
}

export function renderWhoisList(
  title: string,
  items: readonly string[],
  ctx: WhoisContext,
): string {
  return toText([['', title], ...items.map((i): Line => ['', i]), ['', ''], ...footer(ctx)])
}

export function renderWhoisHelp(ctx: WhoisContext): string {
  return toText([
    ['', 'Queries: <domain name> | nameserver <host name> | registrar <name or IANA id>'],
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
