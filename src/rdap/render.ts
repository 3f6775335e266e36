import type { ContactRole } from '../domain/registration.js'
import { CONTACT_ROLES } from '../domain/registration.js'
import type { DisclosedRegistrar, Disclosure, Withheld } from '../policy/disclosure.js'
import {
  CONFORMANCE,
  closing,
  conformance,
  domainNotices,
  events,
  linker,
  termsNotice,
  type RenderContext,
} from './envelope.js'
import type {
  DomainResponse,
  Entity,
  EntityResponse,
  HelpResponse,
  IpAddresses,
  Link,
  NameserverResponse,
  Redacted,
  ReverseSearchProperty,
} from './model.js'
import { entry, redactedName, roleHolder } from './redacted.js'
import { rdapStatuses } from './status.js'
import { abuseVcard, registrarVcard, renderContact } from './vcard.js'

/**
 * The registrar as an entity: IANA id handle, publicIds, links (`links` first, then the about
 * link), abuse contact.
 */
function registrarEntity(r: DisclosedRegistrar, full: boolean, links: Link[] = []): Entity {
  const id = String(r.ianaId)
  // RDAP Response Profile 2024 §2.4.6: about link to the registrar's RDAP base URL
  if (r.rdapBaseUrl)
    links.push({
      value: r.rdapBaseUrl,
      rel: 'about',
      href: r.rdapBaseUrl,
      type: 'application/rdap+json',
    })
  // §2.4.1-2.4.3: handle and publicIds carry the IANA Registrar ID
  return {
    objectClassName: 'entity',
    handle: id,
    roles: ['registrar'],
    publicIds: [{ type: 'IANA Registrar ID', identifier: id }],
    vcardArray: registrarVcard(r, full),
    links: links.length ? links : undefined,
    // §2.4.5: abuse contact with tel and email
    entities:
      r.abuseEmail || r.abusePhone
        ? [{ objectClassName: 'entity', roles: ['abuse'], vcardArray: abuseVcard(r) }]
        : undefined,
  }
}

/** withheld non-contact fields: nothing registered to call them, so a description */
function objectEntries(withheld: readonly Withheld[]): Redacted[] {
  return withheld.map((w) =>
    w.path === 'domain.roid' || w.path === 'host.roid'
      ? entry(redactedName(w), 'removal', { prePath: '$.handle' })
      : entry(redactedName(w), 'removal', {}),
  )
}

function contactEntities(d: Disclosure, contacts: Partial<Record<ContactRole, object>>) {
  const entities: Entity[] = []
  const redacted: Redacted[] = []
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

/** RFC 9083 §5.2, §5.3: the class, the registry's handle, and the names of a domain or host */
function identity<K extends 'domain' | 'nameserver'>(
  objectClassName: K,
  o: { roid?: string | undefined; ldhName: string; unicodeName?: string | null | undefined },
) {
  return {
    objectClassName,
    handle: o.roid || undefined,
    ldhName: o.ldhName,
    unicodeName: o.unicodeName || undefined,
  }
}

const filledOr = <T>(items: readonly T[] | undefined): readonly T[] | undefined =>
  items?.length ? items : undefined

/** RFC 9083 §5.3 domain object, shaped by the RDAP Response Profile 2024 §2 */
export function renderDomain(d: Disclosure, ctx: RenderContext): DomainResponse {
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
  const sec = dom.secureDns
  return {
    rdapConformance: conformance(redacted),
    ...identity('domain', dom),
    links,
    status: dom.statuses ? rdapStatuses(dom.statuses) : undefined,
    events: events(
      [
        ['registration', dom.created],
        ['expiration', dom.expires],
        ['last changed', dom.updated],
        ['transfer', dom.transferred],
      ],
      ctx,
    ),
    entities: [registrarEntity(rar, false), ...entities],
    nameservers: dom.nameservers?.map((ns) => ({
      objectClassName: 'nameserver',
      ldhName: ns.ldhName,
      unicodeName: ns.unicodeName || undefined,
      ipAddresses: ipAddresses(ns.ipv4, ns.ipv6),
    })),
    secureDNS: sec
      ? {
          delegationSigned: sec.delegationSigned,
          dsData: filledOr(sec.dsData),
          keyData: filledOr(sec.keyData),
        }
      : { delegationSigned: false },
    ...closing(d, ctx, domainNotices(ctx, link), redacted),
  }
}

/** RFC 9083 §5.2 nameserver object */
export function renderNameserver(d: Disclosure, ctx: RenderContext): NameserverResponse {
  if (d.record.kind !== 'host') throw new Error('renderNameserver needs a host disclosure')
  const h = d.record.host
  const link = linker(ctx)
  const redacted = objectEntries(d.withheld)
  return {
    rdapConformance: conformance(redacted),
    ...identity('nameserver', h),
    links: [link('self', `${ctx.baseUrl}nameserver/${h.ldhName}`)],
    status: h.statuses ? rdapStatuses(h.statuses) : undefined,
    ipAddresses: ipAddresses(h.ipv4, h.ipv6),
    entities: [registrarEntity(h.registrar, false)],
    events: events(
      [
        ['registration', h.created],
        ['last changed', h.updated],
      ],
      ctx,
    ),
    ...closing(d, ctx, [termsNotice(ctx, link)], redacted),
  }
}

/** RFC 9083 §5.1 entity: a registrar (Response Profile 2024 §3) or a contact alone */
export function renderEntity(d: Disclosure, ctx: RenderContext): EntityResponse {
  const r = d.record
  const link = linker(ctx)
  if (r.kind === 'registrar') {
    const self = link('self', `${ctx.baseUrl}entity/${r.registrar.ianaId}`)
    const redacted = objectEntries(d.withheld)
    return {
      rdapConformance: conformance(redacted),
      ...registrarEntity(r.registrar, true, [self]),
      events: events([], ctx),
      ...closing(d, ctx, [termsNotice(ctx, link)], redacted),
    }
  }
  if (r.kind !== 'contact') throw new Error('renderEntity needs an entity disclosure')
  const rendered = renderContact({ ...r.contact, roid: r.handle }, d.withheld, null, '$')
  const redacted = [...rendered.redacted]
  return {
    rdapConformance: conformance(redacted),
    // a contact looked up alone always renders (only a role's empty contact is left out)
    ...rendered.entity!,
    links: [link('self', `${ctx.baseUrl}entity/${r.handle}`)],
    events: events([], ctx),
    ...closing(d, ctx, [termsNotice(ctx, link)], redacted),
  }
}

const HELP_DESCRIPTION = (policy: { name: string; version: number }) => [
  `Registration data is disclosed under the ${policy.name} policy (version ${policy.version}).`,
  'Anonymous queries receive the public view; personal data is withheld and each withheld field is listed in the "redacted" member (RFC 9537).',
  'Accredited requesters and registrars authenticate with an OAuth 2.0 bearer token (Authorization: Bearer) and receive the view their accreditation and declared purpose allow; every such disclosure is recorded.',
  'Supported queries: domain/<name>, nameserver/<name>, entity/<handle or IANA Registrar ID>, help.',
  'Searches (RFC 9082; "*" matches any characters, at least two characters before it or three in a row elsewhere): domains?name=, domains?nsLdhName=, domains?nsIp=, nameservers?name=, nameservers?ip=, entities?fn=, entities?handle=; reverse searches (RFC 9536) where your access allows: domains/reverse_search/entity?fn=|handle=|email=[&role=]. Results come in pages (RFC 8977: count=true, sort=, cursor=) and match only values you may see.',
]

/** RFC 9083 §7 help; TIG 2024 §3.4 */
/** RFC 9083 §5.2 ipAddresses, or nothing where there are none */
function ipAddresses(
  ipv4: readonly string[] | undefined,
  ipv6: readonly string[] | undefined,
): IpAddresses | undefined {
  const v4 = filledOr(ipv4 ?? [])
  const v6 = filledOr(ipv6 ?? [])
  return v4 || v6 ? { ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) } : undefined
}

export function renderHelp(
  ctx: RenderContext,
  policy: { name: string; version: number },
  limit?: string,
  tlds: readonly string[] = [],
  reverse: readonly ReverseSearchProperty[] = [],
): HelpResponse {
  return {
    rdapConformance: reverse.length ? [...CONFORMANCE, 'reverse_search'] : CONFORMANCE,
    notices: [
      termsNotice(ctx),
      { title: 'Registration data access', description: HELP_DESCRIPTION(policy) },
      ...(tlds.length ? [{ title: 'TLDs served', description: [tlds.join(', ')] }] : []),
      ...(limit ? [{ title: 'Query limits', description: [limit] }] : []),
    ],
    // RFC 9536 §6: the reverse searches this viewer may make
    ...(reverse.length ? { reverse_search_properties: reverse } : {}),
  }
}
