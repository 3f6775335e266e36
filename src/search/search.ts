import type { Audience, Viewer } from '../domain/audience.js'
import { unicodeNameOf } from '../domain/names.js'
import { CONTACT_ROLES, type ContactRole } from '../domain/registration.js'
import { AppError, DatabaseError } from '../errors.js'
import {
  effectiveAudience,
  lookupContact,
  lookupDomain,
  lookupNameserver,
  lookupRegistrar,
  recordDisclosure,
  type Decided,
  type LookupContext,
  type LookupDeps,
} from '../lookup.js'
import type { Disclosure } from '../policy/disclosure.js'
import {
  contactTestOf,
  maySearch,
  reverseField,
  visibilityOf,
  type SearchProperty,
} from '../policy/searchable.js'
import type { Db } from '../storage/db.js'
import {
  countMatches,
  resultKindOf,
  searchPage,
  sortProperties,
  type FoundRow,
  type Matchable,
  type MatchRules,
  type ResultKind,
  type RulePart,
  type SearchPage,
  type SortKey,
} from '../storage/search.js'
import { propertyOf, type Criteria } from './criteria.js'
import type { CursorSeal } from './cursor.js'

export interface SearchLimits {
  /** results a page holds for the public (RFC 8977 pageSize) */
  readonly publicPageSize: number
  /** results a page holds for registrars and accredited requesters */
  readonly authenticatedPageSize: number
  /** the most results a count reads; past it the count is left out (RFC 9083 §10.2.1 "excessive load") */
  readonly countCap: number
}

export interface SearchDeps extends LookupDeps {
  /** the connections searches run on (Databases.search) */
  readonly searchDb: Db
  readonly cursors: CursorSeal
  readonly searchLimits: SearchLimits
}

export interface SearchRequest {
  readonly criteria: Criteria
  /** RFC 8977 sort keys as asked; none: the kind's default */
  readonly sort: readonly SortKey[]
  readonly count: boolean
  readonly cursor?: string
  /** the query without its cursor, in one canonical form: a cursor opens only the query it came from */
  readonly query: string
}

export interface SearchResult {
  readonly kind: ResultKind
  readonly property: SearchProperty
  readonly results: readonly Disclosure[]
  readonly pageSize: number
  readonly pageNumber: number
  /** the cursor of the next page, when there is one */
  readonly next?: string
  readonly totalCount?: number
  /** RFC 9083 §10.2.1 truncation reasons that apply */
  readonly truncated: { readonly authorization: boolean; readonly load: boolean }
  /** the sort properties this viewer may use, the default first */
  readonly availableSorts: readonly string[]
  /** the audience the page was disclosed to, or 'public' when every result was public */
  readonly audience: Audience
}

/** the audience a viewer searches as: what it is granted with, its own registrations aside */
export const searchAudience = (viewer: Viewer): Audience =>
  effectiveAudience(viewer, viewer.registrarId ?? 0)

/**
 * A search (RFC 9082 §3.2, RFC 9536), as the viewer may make it: refused unless the policy grants
 * the property to the viewer's audience; matching only values the viewer may see; each result the
 * viewer's lookup of that object (disclose(), audited as a lookup is). A reverse search by anyone
 * but the public is itself recorded, with its criteria and how many objects it found.
 */
export async function search(
  deps: SearchDeps,
  request: SearchRequest,
  ctx: LookupContext,
): Promise<SearchResult> {
  const viewer = await ctx.viewer
  const decided = { ...ctx, viewer }
  const audience = searchAudience(viewer)
  const property = propertyOf(request.criteria)
  if (!maySearch(deps.policy, audience, property)) {
    if (viewer.kind === 'anonymous')
      throw new AppError(
        'TOKEN_REQUIRED',
        `Searching by ${describe(property)} needs authorization.`,
      )
    throw new AppError(
      'FORBIDDEN',
      `Your access does not include searching by ${describe(property)}.`,
    )
  }
  const kind = resultKindOf(request.criteria)
  const availableSorts = sortsFor(deps, viewer, kind)
  for (const key of request.sort)
    if (!availableSorts.includes(key.property))
      throw new AppError(
        'BAD_REQUEST',
        `Sorting by "${key.property.slice(0, 40)}" is not available; use one of ${availableSorts.join(', ')}.`,
      )
  const pageSize =
    audience === 'public' && viewer.kind === 'anonymous'
      ? deps.searchLimits.publicPageSize
      : deps.searchLimits.authenticatedPageSize
  const binding = `${request.query}\n${viewerKey(viewer)}`
  const opened = request.cursor
    ? deps.cursors.open(request.cursor, binding, ctx.now)
    : { after: undefined, page: 1 }
  const rules = rulesFor(deps, viewer, request.criteria)
  const page: SearchPage = {
    criteria: request.criteria,
    rules,
    sort: request.sort,
    ...(opened.after ? { after: opened.after } : {}),
    limit: pageSize,
  }
  const [rows, total] = await Promise.all([
    searchPage(deps.searchDb, page).catch(slowSearch),
    request.count
      ? countMatches(deps.searchDb, page, deps.searchLimits.countCap).catch(uncounted)
      : undefined,
  ])
  const served = rows.slice(0, pageSize)
  const results = (await Promise.all(served.map((row) => lookupRow(deps, row, decided)))).filter(
    (d): d is Disclosure => d !== undefined && matchedShown(deps, request.criteria, d, decided),
  )
  if (request.criteria.kind === 'reverse' && audience !== 'public')
    await recordSearch(deps, request, property, results.length, decided)
  // an empty result is a 404, as in the gTLD profile's tests (RCT -12604: at least one result)
  if (results.length === 0)
    throw new AppError(
      'NOT_FOUND',
      `No ${kind === 'entities' ? 'entities' : kind} matched the search.`,
    )
  const last = served.at(-1)
  return {
    kind,
    property,
    results,
    pageSize,
    pageNumber: opened.page,
    ...(rows.length > pageSize && last
      ? {
          next: deps.cursors.seal(
            { after: last.sortValues, page: opened.page + 1 },
            binding,
            ctx.now,
          ),
        }
      : {}),
    ...(typeof total === 'number' ? { totalCount: total } : {}),
    truncated: {
      authorization: limitedByAuthorization(rules),
      load: request.count && typeof total !== 'number',
    },
    availableSorts,
    audience: results.some((d) => d.audience !== 'public') ? audience : 'public',
  }
}

const describe = (property: SearchProperty): string =>
  property.startsWith('reverse.')
    ? `a contact's ${property.slice('reverse.'.length)} (reverse search)`
    : property.replace('.', ' by ')

/** what the cursor is bound to of the viewer: everything that decides what it may see */
function viewerKey(v: Viewer): string {
  return JSON.stringify([v.kind, v.issuer, v.subject, v.registrarId, v.purpose, v.requestedView])
}

/**
 * The fields each part of a search matches on, with when the viewer may see them: the audience of
 * a registrar's own rows is 'registrar', of everything else the viewer's search audience.
 */
function rulesFor(deps: SearchDeps, viewer: Viewer, c: Criteria): (part: RulePart) => MatchRules {
  const audience = searchAudience(viewer)
  const other: Audience = audience === 'registrar' ? 'public' : audience
  const matchable = (path: string): Matchable => {
    const test = (a: Audience) => contactTestOf(deps.policy, visibilityOf(deps.policy, a, path))
    return {
      other: test(other),
      ...(audience === 'registrar' && viewer.registrarId !== undefined
        ? { own: { registrarId: viewer.registrarId, rule: test('registrar') } }
        : {}),
    }
  }
  const paths = (part: RulePart): readonly string[] => {
    switch (c.kind) {
      case 'domains':
        if (c.by === 'name') return []
        if (part === 'domain') return ['domain.nameservers']
        return part === 'host' && c.by === 'nsIp' ? [`host.ipv${c.ip.family}`] : []
      case 'nameservers':
        return part === 'host' && c.by === 'ip' ? [`host.ipv${c.ip.family}`] : []
      case 'entities':
        if (part === 'registrar') return c.by === 'fn' ? ['registrar.name'] : []
        if (part !== 'contact') return []
        // a handle given whole is a lookup anyone may make; a pattern lists handles
        if (c.by === 'handle' && c.text.exact) return []
        return CONTACT_ROLES.map((role) => `${role}.${c.by === 'fn' ? 'name' : 'roid'}`)
      case 'reverse':
        return (CONTACT_ROLES as readonly string[]).includes(part)
          ? [reverseField(part as ContactRole, c.by)]
          : []
    }
  }
  return (part) => paths(part).map(matchable)
}

const PARTS: readonly RulePart[] = ['domain', 'host', 'registrar', 'contact', ...CONTACT_ROLES]

/**
 * RFC 9083 §10.2.1 "result set truncated due to authorization": said whenever what this viewer may
 * match depends on the objects (consent, scope, sponsor), never from what was or was not found.
 */
function limitedByAuthorization(rules: (part: RulePart) => MatchRules): boolean {
  return PARTS.some((part) =>
    rules(part).some((m) => !m.other.always || (m.own !== undefined && !m.own.rule.always)),
  )
}

/** the sorts this viewer may use: by a date only if every result would show it */
function sortsFor(deps: SearchDeps, viewer: Viewer, kind: ResultKind): string[] {
  const audience = searchAudience(viewer)
  const group = kind === 'domains' ? 'domain' : 'host'
  const DATES: Readonly<Record<string, string>> = {
    registrationDate: `${group}.created`,
    expirationDate: `${group}.expires`,
    lastChangedDate: `${group}.updated`,
  }
  const audiences: Audience[] = audience === 'registrar' ? ['public', 'registrar'] : [audience]
  return sortProperties(kind).filter((p) => {
    const path = DATES[p]
    return !path || audiences.every((a) => visibilityOf(deps.policy, a, path).always)
  })
}

/** the viewer's lookup of a row found; undefined when it went away since */
async function lookupRow(
  deps: SearchDeps,
  row: FoundRow,
  ctx: LookupContext,
): Promise<Disclosure | undefined> {
  const name = { ldhName: row.key, unicodeName: unicodeNameOf(row.key) }
  try {
    switch (row.kind) {
      case 'domain':
        return await lookupDomain(deps, name, ctx)
      case 'host':
        return await lookupNameserver(deps, name, ctx)
      case 'registrar':
        return await lookupRegistrar(deps, Number(row.key), ctx)
      case 'contact':
        return await lookupContact(deps, row.key, ctx)
    }
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return undefined
    throw err
  }
}

/**
 * The last guard: a result whose matched value its own disclosure withholds is dropped and logged.
 * The SQL and the engine read the same plan, so this only fires on a bug; it fails closed.
 */
function matchedShown(deps: SearchDeps, c: Criteria, d: Disclosure, ctx: LookupContext): boolean {
  const needed = matchedFields(c, d)
  if (needed.length === 0 || needed.some((path) => d.shown.includes(path))) return true
  deps.log.error(
    { requestId: ctx.requestId, search: propertyOf(c), fields: needed },
    'a search matched a value its viewer may not see; result dropped',
  )
  return false
}

function matchedFields(c: Criteria, d: Disclosure): readonly string[] {
  switch (c.kind) {
    case 'domains':
      return c.by === 'name' ? [] : ['domain.nameservers']
    case 'nameservers':
      return c.by === 'ip' ? [`host.ipv${c.ip.family}`] : []
    case 'entities':
      if (d.record.kind === 'registrar') return c.by === 'fn' ? ['registrar.name'] : []
      return c.by === 'fn' ? ['contact.name'] : []
    case 'reverse':
      return (c.role ? [c.role] : CONTACT_ROLES).map((role) => reverseField(role, c.by))
  }
}

/** one audit row for the search itself, before any result leaves: no record, no answer */
async function recordSearch(
  deps: SearchDeps,
  request: SearchRequest,
  property: SearchProperty,
  found: number,
  ctx: Decided,
): Promise<void> {
  const c = request.criteria
  await recordDisclosure(deps, ctx, {
    audience: searchAudience(ctx.viewer),
    objectClass: 'search',
    objectHandle: request.query,
    fields:
      c.kind === 'reverse'
        ? (c.role ? [c.role] : CONTACT_ROLES).map((role) => reverseField(role, c.by))
        : [property],
    resultCount: found,
  })
}

const isCancelled = (err: unknown) => err instanceof DatabaseError && err.sqlState === '57014'

/** a page the database could not give in time: the search is too broad to answer now */
function slowSearch(err: unknown): never {
  if (isCancelled(err))
    throw new AppError(
      'UNAVAILABLE',
      'The search took too long; narrow the pattern or try again later.',
      { cause: err },
    )
  throw err
}

/** a count the database could not give in time: the page is served without it */
function uncounted(err: unknown): undefined {
  if (isCancelled(err)) return undefined
  throw err
}
