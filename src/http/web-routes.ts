import { readFileSync } from 'node:fs'
import type { Express, Request, Response } from 'express'
import { isNameProblem, normalizeDomainName } from '../domain/names.js'
import { asAppError, AppError } from '../errors.js'
import type { RateLimits } from '../limits/rate-limits.js'
import { lookupAny } from '../lookup-any.js'
import type { LookupContext, LookupDeps } from '../lookup.js'
import type { Withheld } from '../policy/disclosure.js'
import { ownDomainNames, previewDomain } from '../preview.js'
import { HTTP_STATUS } from '../rdap/errors.js'
import { renderDomain } from '../rdap/render.js'
import { rdapJson } from '../rdap/serialize.js'
import { PAGE_CSP, page } from '../web/layout.js'
import { lookupPage } from '../web/lookup-page.js'
import { termsPage } from '../web/terms-page.js'
import { workbenchAnswer } from '../web/workbench.js'
import { workbenchPage } from '../web/workbench-page.js'
import { html } from '../web/html.js'
import { renderWhoisDomain, WHOIS_TERMS_OF_USE } from '../whois/render.js'
import type { ViewerOf } from './middleware.js'
import { causeOf, renderContextOf, RETRY_AFTER_SECONDS, type SiteConfig } from './respond.js'

// the files a page may load, read once: a fixed list, so no path from a request reaches the disk;
// read from the sources whether this runs as src/http or as the built dist/http
const ASSETS = new Map<string, { type: string; body: Buffer }>(
  (
    [
      ['site.css', 'text/css; charset=utf-8'],
      ['workbench.js', 'text/javascript; charset=utf-8'],
      ['icon.svg', 'image/svg+xml'],
    ] as const
  ).map(([name, type]) => [
    name,
    { type, body: readFileSync(new URL(`../../src/web/assets/${name}`, import.meta.url)) },
  ]),
)

export function sendPage(res: Response, status: number, body: string, cache: boolean): void {
  res.statusCode = status
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.setHeader('Content-Security-Policy', PAGE_CSP)
  res.setHeader('Cache-Control', cache ? 'public, max-age=60' : 'no-store')
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.end(body)
}

/** what a page says of a failure: an expected one in its own words, anything else in general ones */
export function problemOf(err: unknown): { status: number; sentence: string; retryAfter?: number } {
  const e = asAppError(err)
  if (!e)
    return { status: 500, sentence: 'Something went wrong on our side; nothing was looked up.' }
  const status = HTTP_STATUS[e.code]
  if (e.code === 'RATE_LIMITED')
    return {
      status,
      sentence: `Too many lookups from your address. Try again in ${e.retryAfterSeconds ?? 60} seconds.`,
      retryAfter: e.retryAfterSeconds ?? 60,
    }
  if (e.code === 'UNAVAILABLE')
    return {
      status,
      sentence: 'The registration data is unavailable just now. Try again in a few seconds.',
      retryAfter: RETRY_AFTER_SECONDS,
    }
  return { status, sentence: e.message }
}

export interface WebDeps extends LookupDeps {
  readonly site: SiteConfig
  readonly limits?: RateLimits
  /** whether /contact/<domain> takes messages (the contact relay runs) */
  readonly contactForm?: boolean
}

/** the web pages (lookup, terms, registrar workbench), their assets and the workbench API */
export function addWebRoutes(app: Express, deps: WebDeps, viewerOf: ViewerOf): void {
  const context = (req: Request, res: Response, anonymous: boolean): LookupContext => ({
    viewer: viewerOf(req, anonymous),
    requestId: String(res.locals.requestId),
    now: new Date(),
  })

  app.get('/assets/:file', (req, res, next) => {
    const asset = ASSETS.get(String(req.params.file))
    if (!asset) return next()
    res.setHeader('Content-Type', asset.type)
    res.setHeader('Cache-Control', 'public, max-age=3600')
    res.setHeader('Content-Length', asset.body.length)
    res.end(asset.body)
  })

  // the public lookup: always the public view, whatever token a client sends
  app.get('/', async (req, res, next) => {
    // '//' and the like match '/' too: they are no page
    if (req.originalUrl !== '/' && !req.originalUrl.startsWith('/?')) return next()
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 300) : ''
    if (q.trim() === '') return sendPage(res, 200, lookupPage({ policy: deps.policy }), true)
    try {
      const found = await lookupAny(deps, q, context(req, res, true))
      res.locals.audience = 'public'
      const record = found.kind === 'domain' ? found.disclosure.record : undefined
      const ldhName = record?.kind === 'domain' ? record.domain.ldhName : undefined
      const contactUrl =
        deps.contactForm && ldhName
          ? (w: Withheld) => `/contact/${encodeURIComponent(ldhName)}?role=${w.group}`
          : undefined
      sendPage(
        res,
        200,
        lookupPage({ query: q, found, policy: deps.policy, ...(contactUrl ? { contactUrl } : {}) }),
        true,
      )
    } catch (err) {
      const problem = problemOf(err)
      if (problem.status >= 500) {
        // as the RDAP answers log it: an expected failure by its code and cause's message only
        const known = asAppError(err)
        deps.log.warn(
          known
            ? { reqId: res.locals.requestId, code: known.code, err: causeOf(known.cause) }
            : { reqId: res.locals.requestId, err },
          'web lookup failed',
        )
      }
      if (problem.retryAfter) res.setHeader('Retry-After', String(problem.retryAfter))
      sendPage(
        res,
        problem.status,
        lookupPage({ query: q, problem: problem.sentence, policy: deps.policy }),
        false,
      )
    }
  })

  app.get('/terms', (_req, res) => {
    const publicBudget = deps.limits?.budget('public')
    const authenticatedBudget = deps.limits?.budget('authenticated')
    sendPage(
      res,
      200,
      termsPage({
        policy: deps.policy,
        ...(publicBudget ? { publicBudget } : {}),
        ...(authenticatedBudget ? { authenticatedBudget } : {}),
        ...(deps.site.port43 ? { port43: deps.site.port43 } : {}),
      }),
      true,
    )
  })

  app.get('/registrar', (_req, res) => sendPage(res, 200, workbenchPage(), true))

  // the workbench API: a registrar's token in the Authorization header; answers never cached
  app.get('/registrar/api/domains', async (req, res) => {
    const after = typeof req.query.after === 'string' ? req.query.after.slice(0, 253) : undefined
    const limit = 50
    const names = await ownDomainNames(deps, context(req, res, false), {
      ...(after ? { after } : {}),
      limit: limit + 1,
    })
    res.setHeader('Cache-Control', 'no-store')
    res.json({
      domains: names.slice(0, limit),
      ...(names.length > limit ? { next: names[limit - 1] } : {}),
    })
  })

  app.get('/registrar/api/domain/:name', async (req, res) => {
    const name = normalizeDomainName(String(req.params.name))
    if (isNameProblem(name)) throw new AppError('BAD_REQUEST', `Malformed name: ${name.problem}.`)
    const ctx = context(req, res, false)
    const preview = await previewDomain(deps, name, ctx)
    const rdapCtx = renderContextOf(req, deps.site)
    const served = {
      rdap: rdapJson(
        renderDomain(preview.public, {
          ...rdapCtx,
          // the URL of the public's lookup of this name, as its answer names it
          requestUrl: new URL(`domain/${name.ldhName}`, rdapCtx.baseUrl).href,
        }),
      ),
      whois: renderWhoisDomain(preview.public, { now: ctx.now, termsOfUse: WHOIS_TERMS_OF_USE }),
    }
    res.setHeader('Cache-Control', 'no-store')
    res.json(workbenchAnswer(preview, served))
  })
}

/** a page for a browser that asked for a path the server does not have */
export function notFoundPage(): string {
  return page(
    { title: 'Not found' },
    html`<h1>Not found</h1>
      <p class="problem">There is no page here. <a href="/">Look up a domain</a>.</p>`,
  )
}
