import type { Disclosure } from '../policy/disclosure.js'
import type { SearchResult } from '../search/search.js'
import { REVERSE_PROPERTIES, type ReverseProperty } from '../policy/searchable.js'
import {
  accessNotice,
  CONFORMANCE,
  domainNotices,
  linker,
  termsNotice,
  type RenderContext,
} from './envelope.js'
import type { Link, Notice, Redacted, ReverseSearchProperty, SearchResponse } from './model.js'
import { renderDomain, renderEntity, renderNameserver } from './render.js'

/** what a search answered, with what the request asked that the page repeats */
export type SearchPageView = Omit<SearchResult, 'property'> & {
  readonly policy: { readonly name: string; readonly version: number }
  /** the sort parameter as given, when one was */
  readonly currentSort?: string
  /** RFC 9536: the reverse search's property and whether a role narrowed it */
  readonly reverse?: { readonly property: ReverseProperty; readonly role: boolean }
}

const MEMBER = {
  domains: 'domainSearchResults',
  nameservers: 'nameserverSearchResults',
  entities: 'entitySearchResults',
} as const

// RFC 8977 §2.3.1: where each sort property is found in the results
const SORT_PATHS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  domains: {
    name: '$.domainSearchResults[*].ldhName',
    registrationDate: eventPath('domainSearchResults', 'registration'),
    expirationDate: eventPath('domainSearchResults', 'expiration'),
    lastChangedDate: eventPath('domainSearchResults', 'last changed'),
  },
  nameservers: {
    name: '$.nameserverSearchResults[*].ldhName',
    registrationDate: eventPath('nameserverSearchResults', 'registration'),
    lastChangedDate: eventPath('nameserverSearchResults', 'last changed'),
  },
  entities: { handle: '$.entitySearchResults[*].handle' },
}

function eventPath(member: string, action: string): string {
  return `$.${member}[*].events[?(@.eventAction=='${action}')].eventDate`
}

// the IANA RDAP Reverse Search Mapping registry's paths (RFC 9536 §5)
const REVERSE_PATHS: Readonly<Record<ReverseProperty | 'role', string>> = {
  fn: "$.entities[*].vcardArray[1][?(@[0]=='fn')][3]",
  handle: '$.entities[*].handle',
  email: "$.entities[*].vcardArray[1][?(@[0]=='email')][3]",
  role: '$.entities[*].roles',
}

/** RFC 9082 §3.2 search results: each object as its lookup renders it, the envelope once on top */
export function renderSearch(page: SearchPageView, ctx: RenderContext): SearchResponse {
  const link = linker(ctx)
  const pageLink = pageLinker(ctx)
  const member = MEMBER[page.kind]
  const items = page.results.map((d, i) => {
    const { rdapConformance, notices, ...item } = renderOne(page.kind, d, ctx)
    void notices // the terms, status and access notices are the page's, said once on top
    const redacted = item.redacted?.map((e) => rebased(e, `$.${member}[${i}]`))
    return { item: { ...item, redacted }, redacted: rdapConformance.includes('redacted') }
  })
  const notices: Notice[] =
    page.kind === 'domains' ? domainNotices(ctx, link) : [termsNotice(ctx, link)]
  const access = accessNotice(page)
  if (access) notices.push(access)
  if (page.truncated.authorization)
    notices.push({
      title: 'Search limited by authorization',
      type: 'result set truncated due to authorization',
      description: [
        'Only values your access lets you see are searched: objects whose matching value is withheld from you are not listed.',
      ],
    })
  if (page.truncated.load)
    notices.push({
      title: 'Result count unavailable',
      type: 'result set truncated due to excessive load',
      description: [
        'The total number of results could not be counted in time; the page is complete.',
      ],
    })
  return {
    rdapConformance: [
      ...CONFORMANCE,
      ...(items.some((i) => i.redacted) ? ['redacted'] : []),
      'sorting',
      'paging',
      ...(page.reverse ? ['reverse_search'] : []),
    ],
    notices,
    ...(page.reverse
      ? {
          reverse_search_properties_mapping: [
            { property: page.reverse.property, propertyPath: REVERSE_PATHS[page.reverse.property] },
            ...(page.reverse.role ? [{ property: 'role', propertyPath: REVERSE_PATHS.role }] : []),
          ],
        }
      : {}),
    sorting_metadata: {
      ...(page.currentSort ? { currentSort: page.currentSort } : {}),
      availableSorts: page.availableSorts.map((property, i) => ({
        property,
        jsonPath: SORT_PATHS[page.kind]?.[property] ?? '',
        default: i === 0,
        links: [
          pageLink('alternate', { sort: property }, 'Result Ascending Sort Link'),
          pageLink('alternate', { sort: `${property}:d` }, 'Result Descending Sort Link'),
        ],
      })),
    },
    paging_metadata: {
      ...(page.totalCount !== undefined ? { totalCount: page.totalCount } : {}),
      pageSize: page.pageSize,
      pageNumber: page.pageNumber,
      ...(page.next
        ? { links: [pageLink('next', { cursor: page.next }, 'Result Pagination Link')] }
        : {}),
    },
    // last: the serializer writes the results after the rest
    [member]: items.map((i) => i.item),
  }
}

/** an entry's paths from the top of the response: RFC 9537 paths select in the whole answer */
function rebased(e: Redacted, root: string): Redacted {
  // a shared (frozen) entry is rebased once per place, and stays frozen: its text is made once too
  const shared = Object.isFrozen(e)
  let places = shared ? rebasedEntries.get(e) : undefined
  const known = places?.get(root)
  if (known) return known
  const move = (path: string | undefined) => (path?.startsWith('$') ? root + path.slice(1) : path)
  const moved: Redacted = {
    ...e,
    ...(e.prePath ? { prePath: move(e.prePath)! } : {}),
    ...(e.postPath ? { postPath: move(e.postPath)! } : {}),
    ...(e.replacementPath ? { replacementPath: move(e.replacementPath)! } : {}),
  }
  if (!shared) return moved
  if (!places) rebasedEntries.set(e, (places = new Map()))
  places.set(root, Object.freeze(moved))
  return moved
}
const rebasedEntries = new WeakMap<Redacted, Map<string, Redacted>>()

function renderOne(kind: SearchPageView['kind'], d: Disclosure, ctx: RenderContext) {
  switch (kind) {
    case 'domains':
      return renderDomain(d, ctx)
    case 'nameservers':
      return renderNameserver(d, ctx)
    case 'entities':
      return renderEntity(d, ctx)
  }
}

/** links to the request's URL with some parameters set anew (the URL is parsed once) */
function pageLinker(ctx: RenderContext) {
  const url = new URL(ctx.requestUrl)
  url.searchParams.delete('cursor')
  const base = `${url.origin}${url.pathname}`
  const params = [...url.searchParams]
  return (rel: string, set: Readonly<Record<string, string>>, title: string): Link => {
    const query = new URLSearchParams(params.filter(([k]) => !(k in set)))
    for (const [k, v] of Object.entries(set)) query.set(k, v)
    return {
      value: ctx.requestUrl,
      rel,
      href: `${base}?${query}`,
      type: 'application/rdap+json',
      title,
    }
  }
}

/** RFC 9536 §6: the reverse searches the help answer lists, for the properties a viewer may use */
export function reverseSearchProperties(
  usable: readonly ReverseProperty[],
): ReverseSearchProperty[] {
  const described: Readonly<Record<ReverseProperty, string>> = {
    fn: 'domains by the full name of a contact',
    handle: 'domains by the handle of a contact',
    email: 'domains by the e-mail address of a contact',
  }
  return [...usable, ...(usable.length ? (['role'] as const) : [])].map((property) => ({
    searchableResourceType: 'domains',
    relatedResourceType: 'entity',
    property,
    description:
      property === 'role'
        ? 'narrows a reverse search to contacts in one role (registrant, administrative, technical, billing)'
        : described[property],
  }))
}

export const REVERSE_PROPERTY_NAMES = Object.keys(REVERSE_PROPERTIES) as ReverseProperty[]
