import { utcSeconds } from '../domain/time.js'
import type { Disclosure } from '../policy/disclosure.js'
import type { Link, Notice, RdapEvent, Redacted } from './model.js'

// What every response carries around its object: conformance, links, notices, events.

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
export const CONFORMANCE: readonly string[] = [
  'rdap_level_0',
  'icann_rdap_response_profile_1',
  'icann_rdap_technical_implementation_guide_1',
]
const CONFORMANCE_REDACTED: readonly string[] = [...CONFORMANCE, 'redacted']

/** the links of one response: each carries the request URL as its context (`value`) */
export function linker(ctx: RenderContext) {
  return (rel: string, href: string, type = 'application/rdap+json'): Link => ({
    value: ctx.requestUrl,
    rel,
    href,
    type,
  })
}
export type Linker = ReturnType<typeof linker>

const TERMS_DESCRIPTION = [
  "Service subject to the registry's Terms of Use. Registration data is provided for lawful purposes only.",
]

/** TIG 2024 §3.3: every response points to the terms of service */
export function termsNotice(ctx: RenderContext, link: Linker = linker(ctx)): Notice {
  return {
    title: 'Terms of Use',
    description: TERMS_DESCRIPTION,
    links: [link('terms-of-service', ctx.termsUrl, 'text/html')],
  }
}

export function domainNotices(ctx: RenderContext, link: Linker): Notice[] {
  return [
    termsNotice(ctx, link),
    // RDAP Response Profile 2024 §2.6.3
    {
      title: 'Status Codes',
      description: [
        'For more information on domain status codes, please visit https://icann.org/epp',
      ],
      links: [link('glossary', 'https://icann.org/epp', 'text/html')],
    },
    // RDAP Response Profile 2024 §2.10
    {
      title: 'RDDS Inaccuracy Complaint Form',
      description: ['URL of the ICANN RDDS Inaccuracy Complaint Form: https://icann.org/wicf'],
      links: [link('help', 'https://icann.org/wicf', 'text/html')],
    },
  ]
}

/** RFC 9083 §10.2.1 has no access-level member; a notice says what was served (standards §8.3) */
export function accessNotice(d: Pick<Disclosure, 'audience' | 'policy'>): Notice | undefined {
  if (d.audience === 'public') return undefined
  return {
    title: 'Authorized access',
    description: [
      `Non-public registration data served to the ${d.audience} audience under the ${d.policy.name} policy (version ${d.policy.version}). This disclosure has been recorded.`,
    ],
  }
}

/** the members after an object's own: port43, the notices, and what was withheld */
export function closing(
  d: Disclosure,
  ctx: RenderContext,
  notices: Notice[],
  redacted: Redacted[],
) {
  const access = accessNotice(d)
  if (access) notices.push(access)
  return {
    port43: ctx.port43,
    notices,
    redacted: redacted.length ? redacted : undefined,
  }
}

export const conformance = (redacted: readonly Redacted[]) =>
  redacted.length ? CONFORMANCE_REDACTED : CONFORMANCE

const event = (eventAction: string, date: Date): RdapEvent => ({
  eventAction,
  eventDate: utcSeconds(date),
})

/** the object's events that happened, then the last update of this database (the response time) */
export function events(
  pairs: ReadonlyArray<readonly [string, Date | null | undefined]>,
  ctx: RenderContext,
): RdapEvent[] {
  const out: RdapEvent[] = []
  for (const [action, date] of pairs) if (date) out.push(event(action, date))
  out.push(event('last update of RDAP database', ctx.now))
  return out
}
