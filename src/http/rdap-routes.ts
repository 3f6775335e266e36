import { Router, type Express, type Request, type Response } from 'express'
import type { ViewerOf } from './middleware.js'
import type { Viewer } from '../domain/audience.js'
import { isNameProblem, normalizeDomainName, type NormalizedName } from '../domain/names.js'
import { AppError } from '../errors.js'
import {
  describeTld,
  servedTlds,
  lookupDomain,
  lookupEntity,
  lookupNameserver,
  type LookupContext,
} from '../lookup.js'
import type { SearchDeps } from '../search/search.js'
import { reverseSearchProperties } from '../rdap/search-render.js'
import { addSearchRoutes, usableReverseProperties } from './search-routes.js'
import { lookupContext } from './lookup-context.js'
import { bodyKeeper } from './cached-lookups.js'
import type { Disclosure } from '../policy/disclosure.js'
import type { RateLimits } from '../limits/rate-limits.js'
import type { RdapResponse } from '../rdap/model.js'
import type { RenderContext } from '../rdap/envelope.js'
import { renderDomain, renderEntity, renderHelp, renderNameserver } from '../rdap/render.js'
import { errorBody } from '../rdap/errors.js'
import { renderContextOf, sendError, sendRdap, type SiteConfig } from './respond.js'

const OBJECT_CLASSES = [
  'domain',
  'nameserver',
  'entity',
  'help',
  'ip',
  'autnum',
  'domains',
  'nameservers',
  'entities',
]

/**
 * RFC 9082 §3.1 queries under /rdap. The three lookups are routes of the app itself, so that they
 * are dispatched once; everything else under /rdap goes to one mounted router.
 */
export function addRdapRoutes(
  app: Express,
  deps: SearchDeps,
  site: SiteConfig,
  viewerOf: ViewerOf,
  limits?: RateLimits,
): void {
  const fail = sendError(deps.log, site)
  const { cache: _, ...withoutCache } = deps
  const lookup =
    (
      find: (ctx: LookupContext, req: Request, bodyKept: boolean) => Promise<Disclosure>,
      render: (d: Disclosure, ctx: RenderContext) => RdapResponse,
      keeper?: ReturnType<typeof bodyKeeper>,
    ) =>
    async (req: Request, res: Response) => {
      const keep = keeper?.(req)
      let disclosure: Disclosure
      try {
        disclosure = await find(lookupContext(req, res, viewerOf(req)), req, keep !== undefined)
      } catch (err) {
        return fail(err, req, res) // a 404 is an answer, not an exception to route further
      }
      res.locals.audience = disclosure.audience
      const body = sendRdap(res, 200, render(disclosure, renderContextOf(req, site)), {
        cache: disclosure.audience === 'public',
      })
      if (body !== undefined) keep?.(disclosure, body)
    }

  // GET routes answer HEAD too; any other method falls through to the router below
  app.get(
    `${BASE}/domain/:name`,
    lookup(
      // where the body will be kept, keeping the decision too would only weigh on memory
      (ctx, req, bodyKept) =>
        lookupDomain(bodyKept ? withoutCache : deps, parseName(req.params.name), ctx),
      renderDomain,
      deps.cache && bodyKeeper(deps.cache, site),
    ),
  )
  app.get(
    `${BASE}/nameserver/:name`,
    lookup((ctx, req) => lookupNameserver(deps, parseName(req.params.name), ctx), renderNameserver),
  )
  app.get(
    `${BASE}/entity/:handle`,
    lookup((ctx, req) => lookupEntity(deps, parseHandle(req.params.handle), ctx), renderEntity),
  )
  app.use(BASE, otherQueries(deps, site, viewerOf, limits))
}

const BASE = '/rdap'

/** the rest of /rdap: other methods, help, queries not offered, malformed queries */
function otherQueries(
  deps: SearchDeps,
  site: SiteConfig,
  viewerOf: ViewerOf,
  limits: RateLimits | undefined,
): Router {
  const router = Router()
  const fail = sendError(deps.log, site)

  // RFC 7480 §4.1: GET and HEAD (and the CORS preflight, answered earlier)
  router.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next()
    res.setHeader('Allow', 'GET, HEAD, OPTIONS')
    sendRdap(
      res,
      405,
      errorBody(
        405,
        `${req.method} is not supported; use GET or HEAD.`,
        renderContextOf(req, site),
      ),
      { cache: false },
    )
  })

  // everything below shows nothing of the registry, but a bad token is still refused first
  router.use(async (req, res, next) => {
    res.locals.viewer = await viewerOf(req)
    next()
  })

  router.get('/help', async (req, res) => {
    const limit = limitNotice(limits, (res.locals.viewer as Viewer).kind)
    let tlds: NormalizedName[]
    try {
      tlds = await servedTlds(deps)
    } catch (err) {
      return fail(err, req, res)
    }
    const viewer = res.locals.viewer as Viewer
    const reverse = reverseSearchProperties(usableReverseProperties(deps, viewer))
    sendRdap(
      res,
      200,
      renderHelp(renderContextOf(req, site), deps.policy, limit, tlds.map(describeTld), reverse),
      // what it lists depends on the viewer
      { cache: viewer.kind === 'anonymous' },
    )
  })

  addSearchRoutes(router, deps, site)

  // a domain name registry holds no IP networks or autonomous systems
  router.get(['/ip/{*rest}', '/autnum/{*rest}'], () => {
    throw new AppError(
      'NOT_IMPLEMENTED',
      'This server holds domain name registry data only; this query is not supported.',
    )
  })

  router.use((req) => {
    const objectClass = req.path.split('/')[1] ?? ''
    throw new AppError(
      'BAD_REQUEST',
      OBJECT_CLASSES.includes(objectClass)
        ? `Malformed ${objectClass} query.`
        : `Unknown query type "${objectClass.slice(0, 40)}"; supported: domain, nameserver, entity, help.`,
    )
  })
  return router
}

/** RFC 9083 §4.3: the query limit of the viewer's tier, where there is one */
function limitNotice(limits: RateLimits | undefined, kind: Viewer['kind']): string | undefined {
  const tier = kind === 'anonymous' ? 'public' : 'authenticated'
  const b = limits?.budget(tier)
  if (!b) return undefined
  return tier === 'public'
    ? `Anonymous queries (RDAP and WHOIS) are limited to ${b.count} every ${b.seconds} seconds for each address (IPv6: each /64); over it, the answer is 429 with Retry-After.`
    : `Authenticated queries are limited to ${b.count} every ${b.seconds} seconds for each token subject (each registrar); over it, the answer is 429 with Retry-After.`
}

function parseName(raw: unknown): NormalizedName {
  const name = normalizeDomainName(typeof raw === 'string' ? raw : '')
  if (isNameProblem(name)) throw new AppError('BAD_REQUEST', `Malformed name: ${name.problem}.`)
  return name
}

const HANDLE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/

function parseHandle(raw: unknown): string {
  if (typeof raw !== 'string' || !HANDLE.test(raw))
    throw new AppError('BAD_REQUEST', 'Malformed entity handle.')
  return raw
}
