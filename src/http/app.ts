import express, { type Express } from 'express'
import type { RateLimits } from '../limits/rate-limits.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics.js'
import type { SearchDeps } from '../search/search.js'
import { AppError } from '../errors.js'
import { addRdapRoutes } from './rdap-routes.js'
import { addContactRoutes } from './contact-routes.js'
import type { ContactRelay } from '../contact/relay.js'
import { addWebRoutes, notFoundPage, sendPage } from './web-routes.js'
import type { SiteConfig } from './respond.js'
import type { Db } from '../storage/db.js'
import { addIngestRoutes, type VerifyOperator } from './ingest-routes.js'
import { errorHandler } from './error-handler.js'
import { readiness } from './readiness.js'
import { cors, requestLogging, viewerFrom, type VerifyBearer } from './middleware.js'

export interface AppDeps extends SearchDeps {
  readonly primary: Db
  /** the ingest API's token check; without it the API is not offered */
  readonly verifyOperator?: VerifyOperator
  readonly verifyBearer: VerifyBearer
  readonly site: SiteConfig
  readonly log: Logger
  /** the contact relay, whose web form the app then serves */
  readonly contact?: ContactRelay
  /** what the server counts for Prometheus; none: nothing */
  readonly metrics?: Metrics
  /** query budgets by tier; none: no limits */
  readonly limits?: RateLimits
  /** express's trust proxy: the proxies whose X-Forwarded-For names the client */
  readonly trustProxy?: string
}

/** the HTTP app, without listening: tests drive it with supertest, main.ts listens */
export function createApp(deps: AppDeps): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false) // an ETag could tell two views of one object apart
  app.set('query parser', 'simple')
  if (deps.trustProxy) app.set('trust proxy', deps.trustProxy)
  app.use(requestLogging(deps.log, deps.metrics))
  app.use(cors)

  // the lookups first: every route before them is one more match on every lookup
  const viewerOf = viewerFrom(deps.verifyBearer, deps.limits, Boolean(deps.trustProxy))
  addRdapRoutes(app, deps, deps.site, viewerOf, deps.limits)
  addWebRoutes(app, { ...deps, contactForm: Boolean(deps.contact) }, viewerOf)
  if (deps.contact) addContactRoutes(app, { ...deps, contact: deps.contact }, viewerOf)
  if (deps.verifyOperator)
    addIngestRoutes(app, {
      primary: deps.primary,
      verifyOperator: deps.verifyOperator,
      log: deps.log,
    })
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' })
  })
  app.get('/readyz', readiness(deps.primary, deps.audit))
  app.use((req, res) => {
    // a browser gets a page; RDAP clients and everyone else the RFC 9083 answer
    if (req.accepts(['application/rdap+json', 'application/json', 'text/html']) === 'text/html')
      return sendPage(res, 404, notFoundPage(), false)
    throw new AppError('NOT_FOUND', 'No such resource; RDAP queries live under /rdap/.')
  })
  app.use(errorHandler(deps.log, deps.site))
  return app
}
