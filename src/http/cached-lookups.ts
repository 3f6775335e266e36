import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Request, Response } from 'express'
import type { AnswerCache } from '../answer-cache.js'
import type { Disclosure } from '../policy/disclosure.js'
import type { AppDeps } from './app.js'
import { cors, requestLogging, viewerFrom } from './middleware.js'
import { baseOf, sendError, sendRdapBody, type SiteConfig } from './respond.js'

// Anonymous RDAP domain lookups of popular names, answered from the answer cache before the app:
// the same headers, log line, metrics and query budget as the app's route, without its routing.
// Only a request of one exact shape qualifies, the same for keeping a body as for serving it.

const LOOKUP = '/rdap/domain/'
// a name already as the registry stores it (lowercase LDH, no trailing dot), nothing after it
const STORED_FORM = /^[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+$/

/** the name of an anonymous GET or HEAD of /rdap/domain/<name as stored>, or undefined */
export function cacheableName(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined
  const h = req.headers
  if (h.authorization !== undefined || h['if-none-match'] !== undefined) return undefined
  if (h['if-modified-since'] !== undefined || !req.url?.startsWith(LOOKUP)) return undefined
  const name = req.url.slice(LOOKUP.length)
  return STORED_FORM.test(name) ? name : undefined
}

/**
 * For the app's domain route: reads the cache's generation before the lookup reads the database,
 * and gives what keeps the body once answered (only a public answer to a qualifying GET).
 */
export function bodyKeeper(cache: AnswerCache, site: SiteConfig) {
  return (req: Request): ((d: Disclosure, body: string) => void) | undefined => {
    const name = req.method === 'GET' ? cacheableName(req) : undefined
    if (!name) return undefined
    const seen = cache.generation()
    return (d, body) => {
      // the name asked must be the one whose changes drop it
      if (d.audience === 'public' && d.record.kind === 'domain' && d.record.domain.ldhName === name)
        cache.keepBody(name, seen, baseOf(req, site).baseUrl, body)
    }
  }
}

export type EdgeHandler = (req: IncomingMessage, res: ServerResponse) => boolean

/** answers a qualifying request from the cache (true), or leaves it to the app (false) */
export function cachedLookups(deps: AppDeps & { readonly cache: AnswerCache }): EdgeHandler {
  const logging = requestLogging(deps.log, deps.metrics)
  const viewerOf = viewerFrom(deps.verifyBearer, deps.limits, Boolean(deps.trustProxy))
  const fail = sendError(deps.log, deps.site)
  return (incoming, outgoing) => {
    const name = cacheableName(incoming)
    if (!name) return false
    // made with the app's prototypes (node-server.ts): express's getters work before express runs
    const req = incoming as Request
    const res = outgoing as Response
    const body = deps.cache.body(name, baseOf(req, deps.site).baseUrl, new Date())
    if (!body) return false
    // what express's first step does with every request and response
    req.res = res
    res.req = req
    res.locals = Object.create(null) as Response['locals']
    req.originalUrl = req.url
    logging(req, res, () =>
      cors(req, res, () => {
        const answer = () => {
          res.locals.audience = 'public'
          sendRdapBody(res, body, { cache: true })
        }
        let viewer
        try {
          viewer = viewerOf(req)
        } catch (err) {
          return fail(err, req, res)
        }
        if (viewer instanceof Promise) viewer.then(answer, (err) => fail(err, req, res))
        else answer()
      }),
    )
    return true
  }
}
