import type { Request, Response, Router } from 'express'
import type { Viewer } from '../domain/audience.js'
import { AppError } from '../errors.js'
import { maySearch } from '../policy/searchable.js'
import { renderSearch, REVERSE_PROPERTY_NAMES } from '../rdap/search-render.js'
import { parseCriteria } from '../search/criteria.js'
import { search, searchAudience, type SearchDeps } from '../search/search.js'
import type { SortKey } from '../storage/search.js'
import { renderContextOf, sendError, sendRdap, type SiteConfig } from './respond.js'
import { lookupContext } from './lookup-context.js'

const PATHS = {
  '/domains': 'domains',
  '/nameservers': 'nameservers',
  '/entities': 'entities',
  '/domains/reverse_search/entity': 'reverse',
} as const

// the parameters a search reads; others are ignored, and left out of what a cursor is bound to
const PARAMETERS = [
  'name',
  'nsLdhName',
  'nsIp',
  'ip',
  'fn',
  'handle',
  'email',
  'role',
  'sort',
  'count',
  'view',
]

/** RFC 9082 §3.2 searches and RFC 9536 reverse searches, on the router of the rest of /rdap */
export function addSearchRoutes(router: Router, deps: SearchDeps, site: SiteConfig): void {
  const fail = sendError(deps.log, site)
  router.get(Object.keys(PATHS), async (req: Request, res: Response) => {
    try {
      // express matches paths whatever their case and with a trailing slash; req.path keeps both
      const route = req.path.replace(/\/+$/, '').toLowerCase() as keyof typeof PATHS
      const path = PATHS[route]
      const query = searchParameters(req)
      const criteria = parseCriteria(path, query)
      const sort = parseSort(query.sort)
      const viewer = res.locals.viewer as Viewer
      const result = await search(
        deps,
        {
          criteria,
          sort,
          count: parseCount(query.count),
          ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
          query: canonicalQuery(route, query),
        },
        lookupContext(req, res, viewer),
      )
      const body = renderSearch(
        {
          ...result,
          policy: { name: deps.policy.name, version: deps.policy.version },
          ...(query.sort !== undefined ? { currentSort: query.sort } : {}),
          ...(criteria.kind === 'reverse'
            ? { reverse: { property: criteria.by, role: criteria.role !== undefined } }
            : {}),
        },
        renderContextOf(req, site),
      )
      sendRdap(res, 200, body, { cache: viewer.kind === 'anonymous' })
    } catch (err) {
      fail(err, req, res)
    }
  })
}

/** the reverse searches a viewer may make, for the help response (RFC 9536 §6) */
export function usableReverseProperties(deps: Pick<SearchDeps, 'policy'>, viewer: Viewer) {
  const audience = searchAudience(viewer)
  return REVERSE_PROPERTY_NAMES.filter((p) => maySearch(deps.policy, audience, `reverse.${p}`))
}

/** each parameter once: a repeated one is ambiguous */
function searchParameters(req: Request): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(req.query)) {
    if (!PARAMETERS.includes(key) && key !== 'cursor') continue
    if (typeof value !== 'string')
      throw new AppError('BAD_REQUEST', `The parameter ${key} is given more than once.`)
    out[key] = value
  }
  return out
}

/** RFC 8977 §2.3: sort=property[:a|:d][,…] */
function parseSort(raw: string | undefined): SortKey[] {
  if (raw === undefined) return []
  const keys = raw.split(',').map((part) => {
    const m = /^([A-Za-z]{1,40})(?::([ad]))?$/.exec(part.trim())
    if (!m)
      throw new AppError(
        'BAD_REQUEST',
        'The sort parameter is property[:a|:d], comma-separated (RFC 8977).',
      )
    return { property: m[1]!, descending: m[2] === 'd' }
  })
  if (keys.length > 3 || new Set(keys.map((k) => k.property)).size !== keys.length)
    throw new AppError('BAD_REQUEST', 'Sort by at most three properties, each once.')
  return keys
}

function parseCount(raw: string | undefined): boolean {
  if (raw === undefined || raw === 'false') return false
  if (raw === 'true') return true
  throw new AppError('BAD_REQUEST', 'The count parameter is true or false (RFC 8977).')
}

/** the path and the parameters read, sorted: what a cursor is bound to */
function canonicalQuery(path: string, query: Readonly<Record<string, string>>): string {
  const params = Object.keys(query)
    .filter((k) => k !== 'cursor')
    .sort()
    .map((k) => `${k}=${query[k]}`)
  return `${path.slice(1)}?${params.join('&')}`
}
