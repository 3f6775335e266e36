import type { ContactRole } from '../domain/registration.js'
import { CONTACT_ROLES } from '../domain/registration.js'
import type { DisclosedRegistrar, Disclosure, Withheld } from '../policy/engine.js'
import { entry, redactedName, roleHolder, type RedactedEntry } from './redacted.js'
import { registrarVcard, renderContact, telUri } from './vcard.js'

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

type Json = Record<string, unknown>

// RFC 9083 §4.1 and RDAP Response Profile / TIG 2024 §1.2 identifiers
const CONFORMANCE = [
  'rdap_level_0',
  'icann_rdap_response_profile_1',
  'icann_rdap_technical_implementation_guide_1',
]

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

const link = (ctx: RenderContext, rel: string, href: string, type = 'application/rdap+json') => ({
  value: ctx.requestUrl,
  rel,
  href,
  type,
})

/** TIG 2024 §3.3: every response points to the terms of service */
export function termsNotice(ctx: RenderContext): Json {
  return {
    title: 'Terms of Use',
    description: [
      "Service subject to the registry's Terms of Use. Registration data is provided for lawful purposes only.",
    ],
    links: [link(ctx, 'terms-of-service', ctx.termsUrl, 'text/html')],
  }
}

function domainNotices(ctx: RenderContext): Json[] {
  return [
    termsNotice(ctx),
    // RDAP Response Profile 2024 §2.6.3
    {
      title: 'Status Codes',
      description: [
        'For more information on domain status codes, please visit https://icann.org/epp',
      ],
      links: [link(ctx, 'glossary', 'https://icann.org/epp', 'text/html')],
    },
    // RDAP Response Profile 2024 §2.10
    {
      title: 'RDDS Inaccuracy Complaint Form',
      description: ['URL of the ICANN RDDS Inaccuracy Complaint Form: https://icann.org/wicf'],
      links: [link(ctx, 'help', 'https://icann.org/wicf', 'text/html')],
    },
  ]
}

/** RFC 9083 §10.2.1 has no access-level member; a notice says what was served (standards §8.3) */
function accessNotice(d: Disclosure): Json | undefined {
  if (d.audience === 'public') return undefined
  return {
    title: 'Authorized access',
    description: [
      `Non-public registration data served to the ${d.audience} audience under the ${d.policy.name} policy (version ${d.policy.version}). This disclosure has been recorded.`,
    ],
  }
}

function envelope(
  d: Disclosure,
  ctx: RenderContext,
  body: Json,
  notices: Json[],
  redacted: RedactedEntry[],
): Json {
  const access = accessNotice(d)
  return {
    rdapConformance: redacted.length ? [...CONFORMANCE, 'redacted'] : CONFORMANCE,
    ...body,
    ...(ctx.port43 ? { port43: ctx.port43 } : {}),
    notices: access ? [...notices, access] : notices,
    ...(redacted.length ? { redacted } : {}),
  }
}

/** RFC 3339 UTC, whole seconds */
const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

const lastUpdate = (ctx: RenderContext) => ({
  eventAction: 'last update of RDAP database',
  eventDate: rfc3339(ctx.now),
})

function events(
  pairs: ReadonlyArray<readonly [string, Date | null | undefined]>,
  ctx: RenderContext,
): Json[] {
  const out: Json[] = pairs
    .filter(([, d]) => d)
    .map(([eventAction, d]) => ({ eventAction, eventDate: rfc3339(d!) }))
  return [...out, lastUpdate(ctx)]
}

/** the registrar as an entity inside another object: IANA id handle, publicIds, about link, abuse */
function registrarEntity(r: DisclosedRegistrar, full: boolean): Json {
  const abuseProps: unknown[] = [
    ['version', {}, 'text', '4.0'],
    ['fn', {}, 'text', 'Abuse Contact'],
  ]
  if (r.abusePhone) abuseProps.push(['tel', { type: 'voice' }, 'uri', telUri(r.abusePhone)])
  if (r.abuseEmail) abuseProps.push(['email', {}, 'text', r.abuseEmail])
  return {
    objectClassName: 'entity',
    handle: String(r.ianaId),
    roles: ['registrar'],
    // RDAP Response Profile 2024 §2.4.1-2.4.3
    publicIds: [{ type: 'IANA Registrar ID', identifier: String(r.ianaId) }],
    vcardArray: registrarVcard(r, full),
    // §2.4.6: about link to the registrar's RDAP base URL
    ...(r.rdapBaseUrl
      ? {
          links: [
            {
              value: r.rdapBaseUrl,
              rel: 'about',
              href: r.rdapBaseUrl,
              type: 'application/rdap+json',
            },
          ],
        }
      : {}),
    // §2.4.5: abuse contact with tel and email
    ...(r.abuseEmail || r.abusePhone
      ? {
          entities: [
            { objectClassName: 'entity', roles: ['abuse'], vcardArray: ['vcard', abuseProps] },
          ],
        }
      : {}),
  }
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
  const entities: Json[] = []
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

/** RFC 9083 §5.3 domain object, shaped by the RDAP Response Profile 2024 §2 */
export function renderDomain(d: Disclosure, ctx: RenderContext): Json {
  if (d.record.kind !== 'domain') throw new Error('renderDomain needs a domain disclosure')
  const dom = d.record.domain
  const self = `${ctx.baseUrl}domain/${dom.ldhName}`
  const { entities, redacted: contactRedacted } = contactEntities(d, dom.contacts)
  const redacted = [
    ...objectEntries(d.withheld.filter((w) => w.group === 'domain' || w.group === 'registrar')),
    ...contactRedacted,
  ]
  const rar = dom.registrar
  const links = [link(ctx, 'self', self)]
  // TIG 2024 §3.2: the registrar's record of the same domain
  if (rar.rdapBaseUrl) links.push(link(ctx, 'related', `${rar.rdapBaseUrl}domain/${dom.ldhName}`))
  const body = {
    objectClassName: 'domain',
    ...(dom.roid ? { handle: dom.roid } : {}),
    ldhName: dom.ldhName,
    ...(dom.unicodeName ? { unicodeName: dom.unicodeName } : {}),
    links,
    ...(dom.statuses ? { status: rdapStatuses(dom.statuses) } : {}),
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
    ...(dom.nameservers
      ? {
          nameservers: dom.nameservers.map((ns) => ({
            objectClassName: 'nameserver',
            ldhName: ns.ldhName,
            ...(ns.unicodeName ? { unicodeName: ns.unicodeName } : {}),
          })),
        }
      : {}),
    secureDNS: dom.secureDns
      ? {
          delegationSigned: dom.secureDns.delegationSigned,
          ...(dom.secureDns.dsData.length
            ? { dsData: dom.secureDns.dsData.map((ds) => ({ ...ds })) }
            : {}),
          ...(dom.secureDns.keyData.length
            ? { keyData: dom.secureDns.keyData.map((k) => ({ ...k })) }
            : {}),
        }
      : { delegationSigned: false },
  }
  return envelope(d, ctx, body, domainNotices(ctx), redacted)
}

/** RFC 9083 §5.2 nameserver object */
export function renderNameserver(d: Disclosure, ctx: RenderContext): Json {
  if (d.record.kind !== 'host') throw new Error('renderNameserver needs a host disclosure')
  const h = d.record.host
  const ips = {
    ...(h.ipv4?.length ? { v4: [...h.ipv4] } : {}),
    ...(h.ipv6?.length ? { v6: [...h.ipv6] } : {}),
  }
  const body = {
    objectClassName: 'nameserver',
    ...(h.roid ? { handle: h.roid } : {}),
    ldhName: h.ldhName,
    ...(h.unicodeName ? { unicodeName: h.unicodeName } : {}),
    links: [link(ctx, 'self', `${ctx.baseUrl}nameserver/${h.ldhName}`)],
    ...(h.statuses ? { status: rdapStatuses(h.statuses) } : {}),
    ...(Object.keys(ips).length ? { ipAddresses: ips } : {}),
    entities: [registrarEntity(h.registrar, false)],
    events: events(
      [
        ['registration', h.created],
        ['last changed', h.updated],
      ],
      ctx,
    ),
  }
  return envelope(d, ctx, body, [termsNotice(ctx)], objectEntries(d.withheld))
}

/** RFC 9083 §5.1 entity: a registrar (RDAP Response Profile 2024 §3) or a contact on its own */
export function renderEntity(d: Disclosure, ctx: RenderContext): Json {
  const r = d.record
  if (r.kind === 'registrar') {
    const entity = registrarEntity(r.registrar, true)
    const body = {
      ...entity,
      links: [
        link(ctx, 'self', `${ctx.baseUrl}entity/${r.registrar.ianaId}`),
        ...((entity.links as Json[]) ?? []),
      ],
      events: events([], ctx),
    }
    return envelope(d, ctx, body, [termsNotice(ctx)], objectEntries(d.withheld))
  }
  if (r.kind !== 'contact') throw new Error('renderEntity needs an entity disclosure')
  const rendered = renderContact({ ...r.contact, roid: r.handle }, d.withheld, null, '$')
  const body = {
    ...rendered.entity,
    links: [link(ctx, 'self', `${ctx.baseUrl}entity/${r.handle}`)],
    events: events([], ctx),
  }
  return envelope(d, ctx, body, [termsNotice(ctx)], [...rendered.redacted])
}

/** RFC 9083 §7 help; TIG 2024 §3.4 */
export function renderHelp(ctx: RenderContext, policy: { name: string; version: number }): Json {
  return {
    rdapConformance: CONFORMANCE,
    notices: [
      termsNotice(ctx),
      {
        title: 'Registration data access',
        description: [
          `Registration data is disclosed under the ${policy.name} policy (version ${policy.version}).`,
          'Anonymous queries receive the public view; personal data is withheld and each withheld field is listed in the "redacted" member (RFC 9537).',
          'Accredited requesters and registrars authenticate with an OAuth 2.0 bearer token (Authorization: Bearer) and receive the view their accreditation and declared purpose allow; every such disclosure is recorded.',
          'Supported queries: domain/<name>, nameserver/<name>, entity/<handle or IANA Registrar ID>, help.',
        ],
      },
    ],
  }
}

export { CONFORMANCE }
