import type { ContactRole } from '../domain/registration.js'
import { CONTACT_ROLES } from '../domain/registration.js'
import { utcSeconds } from '../domain/time.js'
import type { DisclosedRegistrar, Disclosure, Withheld } from '../policy/disclosure.js'
import { array, json, member } from './json-text.js'
import { entry, redactedName, redactedText, roleHolder, type RedactedEntry } from './redacted.js'
import { abuseVcard, registrarVcard, renderContact } from './vcard.js'

/** what a response needs beyond the disclosure; no clock is read while rendering */
export interface RenderContext {
  /** RDAP base URL ending in '/' */
  readonly baseUrl: string
  /** the URL the client asked for: the `value` of every link (RFC 8288 context) */
  readonly requestUrl: string
  readonly now: Date
  readonly termsUrl: string
  readonly port43?: string
}

// RFC 9083 §4.1 and RDAP Response Profile / TIG 2024 §1.2 identifiers
const CONFORMANCE = [
  'rdap_level_0',
  'icann_rdap_response_profile_1',
  'icann_rdap_technical_implementation_guide_1',
]
const CONFORMANCE_TEXT = JSON.stringify(CONFORMANCE)
const CONFORMANCE_REDACTED_TEXT = JSON.stringify([...CONFORMANCE, 'redacted'])

// RFC 8056 §2: EPP status → RDAP status
const STATUS: Readonly<Record<string, string>> = {
  ok: 'active',
  inactive: 'inactive',
  linked: 'associated',
  addPeriod: 'add period',
  autoRenewPeriod: 'auto renew period',
  renewPeriod: 'renew period',
  transferPeriod: 'transfer period',
  redemptionPeriod: 'redemption period',
  pendingCreate: 'pending create',
  pendingDelete: 'pending delete',
  pendingRenew: 'pending renew',
  pendingRestore: 'pending restore',
  pendingTransfer: 'pending transfer',
  pendingUpdate: 'pending update',
  clientDeleteProhibited: 'client delete prohibited',
  clientRenewProhibited: 'client renew prohibited',
  clientTransferProhibited: 'client transfer prohibited',
  clientUpdateProhibited: 'client update prohibited',
  serverDeleteProhibited: 'server delete prohibited',
  serverRenewProhibited: 'server renew prohibited',
  serverTransferProhibited: 'server transfer prohibited',
  serverUpdateProhibited: 'server update prohibited',
  clientHold: 'client hold',
  serverHold: 'server hold',
}

export function rdapStatuses(epp: readonly string[]): string[] {
  return [...new Set(epp.map((s) => STATUS[s]).filter((s): s is string => s !== undefined))]
}

/** the links of one response: each carries the request URL as its context (`value`) */
function linker(ctx: RenderContext) {
  const value = json(ctx.requestUrl)
  return (rel: string, href: string, type = 'application/rdap+json'): string =>
    `{"value":${value},"rel":"${rel}","href":${json(href)},"type":"${type}"}`
}
type Link = ReturnType<typeof linker>

const TERMS_DESCRIPTION = json(
  "Service subject to the registry's Terms of Use. Registration data is provided for lawful purposes only.",
)

/** TIG 2024 §3.3: every response points to the terms of service */
export function termsNotice(ctx: RenderContext, link: Link = linker(ctx)): string {
  return `{"title":"Terms of Use","description":[${TERMS_DESCRIPTION}],"links":[${link('terms-of-service', ctx.termsUrl, 'text/html')}]}`
}

function domainNotices(ctx: RenderContext, link: Link): string[] {
  return [
    termsNotice(ctx, link),
    // RDAP Response Profile 2024 §2.6.3
    `{"title":"Status Codes","description":["For more information on domain status codes, please visit https://icann.org/epp"],"links":[${link('glossary', 'https://icann.org/epp', 'text/html')}]}`,
    // RDAP Response Profile 2024 §2.10
    `{"title":"RDDS Inaccuracy Complaint Form","description":["URL of the ICANN RDDS Inaccuracy Complaint Form: https://icann.org/wicf"],"links":[${link('help', 'https://icann.org/wicf', 'text/html')}]}`,
  ]
}

/** RFC 9083 §10.2.1 has no access-level member; a notice says what was served (standards §8.3) */
function accessNotice(d: Disclosure): string | undefined {
  if (d.audience === 'public') return undefined
  const text = `Non-public registration data served to the ${d.audience} audience under the ${d.policy.name} policy (version ${d.policy.version}). This disclosure has been recorded.`
  return `{"title":"Authorized access","description":[${json(text)}]}`
}

/** the response around an object's members (JSON text without braces) */
function envelope(
  d: Disclosure,
  ctx: RenderContext,
  members: string,
  notices: string[],
  redacted: readonly RedactedEntry[],
): string {
  const access = accessNotice(d)
  if (access) notices.push(access)
  return `{"rdapConformance":${redacted.length ? CONFORMANCE_REDACTED_TEXT : CONFORMANCE_TEXT},${members}${member('port43', ctx.port43 === undefined ? undefined : json(ctx.port43))},"notices":${array(notices)}${redacted.length ? `,"redacted":${redactedText(redacted)}` : ''}}`
}

const event = (action: string, date: Date): string =>
  `{"eventAction":"${action}","eventDate":"${utcSeconds(date)}"}`

/** the object's events that happened, then the last update of this database (the response time) */
function events(
  pairs: ReadonlyArray<readonly [string, Date | null | undefined]>,
  ctx: RenderContext,
): string {
  const out: string[] = []
  for (const [action, date] of pairs) if (date) out.push(event(action, date))
  out.push(event('last update of RDAP database', ctx.now))
  return array(out)
}

/**
 * The registrar as an entity's members: IANA id handle, publicIds, links (`links` first, then
 * the about link), abuse contact. Inside another object it is wrapped as is.
 */
function registrarMembers(r: DisclosedRegistrar, full: boolean, links: string[] = []): string {
  const id = json(String(r.ianaId))
  // RDAP Response Profile 2024 §2.4.6: about link to the registrar's RDAP base URL
  if (r.rdapBaseUrl)
    links.push(
      `{"value":${json(r.rdapBaseUrl)},"rel":"about","href":${json(r.rdapBaseUrl)},"type":"application/rdap+json"}`,
    )
  // §2.4.5: abuse contact with tel and email
  const abuse =
    r.abuseEmail || r.abusePhone
      ? `[{"objectClassName":"entity","roles":["abuse"],"vcardArray":${abuseVcard(r)}}]`
      : undefined
  // §2.4.1-2.4.3: handle and publicIds carry the IANA Registrar ID
  return `"objectClassName":"entity","handle":${id},"roles":["registrar"],"publicIds":[{"type":"IANA Registrar ID","identifier":${id}}],"vcardArray":${registrarVcard(r, full)}${member('links', links.length ? array(links) : undefined)}${member('entities', abuse)}`
}

/** withheld non-contact fields: nothing registered to call them, so a description */
function objectEntries(withheld: readonly Withheld[]): RedactedEntry[] {
  return withheld.map((w) =>
    w.path === 'domain.roid' || w.path === 'host.roid'
      ? entry(redactedName(w), 'removal', { prePath: '$.handle' })
      : entry(redactedName(w), 'removal', {}),
  )
}

function contactEntities(d: Disclosure, contacts: Partial<Record<ContactRole, object>>) {
  const entities: string[] = []
  const redacted: RedactedEntry[] = []
  for (const role of CONTACT_ROLES) {
    const c = contacts[role]
    if (!c) continue
    const rendered = renderContact(
      c,
      d.withheld.filter((w) => w.group === role),
      role,
      roleHolder(role),
    )
    if (rendered.entity) entities.push(rendered.entity)
    redacted.push(...rendered.redacted)
  }
  return { entities, redacted }
}

const NAMESERVER_PREFIX = '{"objectClassName":"nameserver","ldhName":'

/** RFC 9083 §5.3 domain object as JSON text, shaped by the RDAP Response Profile 2024 §2 */
export function renderDomain(d: Disclosure, ctx: RenderContext): string {
  if (d.record.kind !== 'domain') throw new Error('renderDomain needs a domain disclosure')
  const dom = d.record.domain
  const link = linker(ctx)
  const { entities, redacted: contactRedacted } = contactEntities(d, dom.contacts)
  const redacted = [
    ...objectEntries(d.withheld.filter((w) => w.group === 'domain' || w.group === 'registrar')),
    ...contactRedacted,
  ]
  const rar = dom.registrar
  const links = [link('self', `${ctx.baseUrl}domain/${dom.ldhName}`)]
  // TIG 2024 §3.2: the registrar's record of the same domain
  if (rar.rdapBaseUrl) links.push(link('related', `${rar.rdapBaseUrl}domain/${dom.ldhName}`))
  const nameservers = dom.nameservers?.map(
    (ns) =>
      `${NAMESERVER_PREFIX}${json(ns.ldhName)}${member('unicodeName', ns.unicodeName ? json(ns.unicodeName) : undefined)}}`,
  )
  const sec = dom.secureDns
  const secureDns = sec
    ? `{"delegationSigned":${sec.delegationSigned}${member('dsData', sec.dsData.length ? JSON.stringify(sec.dsData) : undefined)}${member('keyData', sec.keyData.length ? JSON.stringify(sec.keyData) : undefined)}}`
    : '{"delegationSigned":false}'
  const members =
    `"objectClassName":"domain"${member('handle', dom.roid ? json(dom.roid) : undefined)},"ldhName":${json(dom.ldhName)}` +
    `${member('unicodeName', dom.unicodeName ? json(dom.unicodeName) : undefined)},"links":${array(links)}` +
    `${member('status', dom.statuses ? JSON.stringify(rdapStatuses(dom.statuses)) : undefined)}` +
    `,"events":${events(
      [
        ['registration', dom.created],
        ['expiration', dom.expires],
        ['last changed', dom.updated],
        ['transfer', dom.transferred],
      ],
      ctx,
    )}` +
    `,"entities":${array([`{${registrarMembers(rar, false)}}`, ...entities])}` +
    `${member('nameservers', nameservers ? array(nameservers) : undefined)},"secureDNS":${secureDns}`
  return envelope(d, ctx, members, domainNotices(ctx, link), redacted)
}

/** RFC 9083 §5.2 nameserver object as JSON text */
export function renderNameserver(d: Disclosure, ctx: RenderContext): string {
  if (d.record.kind !== 'host') throw new Error('renderNameserver needs a host disclosure')
  const h = d.record.host
  const link = linker(ctx)
  const v4 = h.ipv4?.length ? JSON.stringify(h.ipv4) : undefined
  const v6 = h.ipv6?.length ? JSON.stringify(h.ipv6) : undefined
  const ips = v4 || v6 ? `{${`${member('v4', v4)}${member('v6', v6)}`.slice(1)}}` : undefined
  const members =
    `"objectClassName":"nameserver"${member('handle', h.roid ? json(h.roid) : undefined)},"ldhName":${json(h.ldhName)}` +
    `${member('unicodeName', h.unicodeName ? json(h.unicodeName) : undefined)}` +
    `,"links":[${link('self', `${ctx.baseUrl}nameserver/${h.ldhName}`)}]` +
    `${member('status', h.statuses ? JSON.stringify(rdapStatuses(h.statuses)) : undefined)}${member('ipAddresses', ips)}` +
    `,"entities":[{${registrarMembers(h.registrar, false)}}]` +
    `,"events":${events(
      [
        ['registration', h.created],
        ['last changed', h.updated],
      ],
      ctx,
    )}`
  return envelope(d, ctx, members, [termsNotice(ctx, link)], objectEntries(d.withheld))
}

/** RFC 9083 §5.1 entity as JSON text: a registrar (Response Profile 2024 §3) or a contact alone */
export function renderEntity(d: Disclosure, ctx: RenderContext): string {
  const r = d.record
  const link = linker(ctx)
  if (r.kind === 'registrar') {
    const self = link('self', `${ctx.baseUrl}entity/${r.registrar.ianaId}`)
    const members = `${registrarMembers(r.registrar, true, [self])},"events":${events([], ctx)}`
    return envelope(d, ctx, members, [termsNotice(ctx, link)], objectEntries(d.withheld))
  }
  if (r.kind !== 'contact') throw new Error('renderEntity needs an entity disclosure')
  const rendered = renderContact({ ...r.contact, roid: r.handle }, d.withheld, null, '$')
  // a contact looked up alone always renders (only a role's empty contact is left out)
  const members =
    `${rendered.entity!.slice(1, -1)},"links":[${link('self', `${ctx.baseUrl}entity/${r.handle}`)}]` +
    `,"events":${events([], ctx)}`
  return envelope(d, ctx, members, [termsNotice(ctx, link)], [...rendered.redacted])
}

/** RFC 9083 §7 help; TIG 2024 §3.4 */
export function renderHelp(ctx: RenderContext, policy: { name: string; version: number }): string {
  const description = [
    `Registration data is disclosed under the ${policy.name} policy (version ${policy.version}).`,
    'Anonymous queries receive the public view; personal data is withheld and each withheld field is listed in the "redacted" member (RFC 9537).',
    'Accredited requesters and registrars authenticate with an OAuth 2.0 bearer token (Authorization: Bearer) and receive the view their accreditation and declared purpose allow; every such disclosure is recorded.',
    'Supported queries: domain/<name>, nameserver/<name>, entity/<handle or IANA Registrar ID>, help.',
  ]
  return `{"rdapConformance":${CONFORMANCE_TEXT},"notices":[${termsNotice(ctx)},{"title":"Registration data access","description":${JSON.stringify(description)}}]}`
}

export { CONFORMANCE, CONFORMANCE_TEXT }
