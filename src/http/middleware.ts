import { randomUUID } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'
import { ANONYMOUS, type Viewer } from '../domain/audience.js'
import { AppError } from '../errors.js'
import type { RateLimits } from '../limits/rate-limits.js'
import type { Logger } from '../log.js'
import { SECURITY_HEADERS } from './edge.js'
import { NO_METRICS, queryOf, type Metrics } from '../metrics.js'

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/

/** a request id (the caller's X-Request-Id when well-formed), one log line per response, metrics */
export function requestLogging(log: Logger, metrics: Metrics = NO_METRICS) {
  const logs = log.isLevelEnabled('info')
  const arrivals = log.isLevelEnabled('debug')
  const counts = metrics !== NO_METRICS
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id')
    const id = given && REQUEST_ID.test(given) ? given : randomUUID()
    res.locals.requestId = id
    res.setHeader('X-Request-Id', id)
    // at debug, each request when it arrives too: what shutdown must still answer
    if (arrivals) log.debug({ reqId: id }, 'request received')
    if (logs || counts) {
      const started = process.hrtime.bigint()
      res.on('finish', () => {
        if (counts) {
          const path = pathOf(req.originalUrl)
          metrics.request(
            path.startsWith('/rdap') ? 'rdap' : 'web',
            queryOf(path),
            String(res.locals.audience ?? 'none'),
            String(res.statusCode),
            Number(process.hrtime.bigint() - started) / 1e9,
          )
        }
        if (!logs) return
        // the whole path as asked (a mounted router shortens req.path), never the query string
        // or headers (tokens)
        log.info(
          {
            reqId: id,
            method: req.method,
            path: pathOf(req.originalUrl).slice(0, 200),
            status: res.statusCode,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
          },
          'request',
        )
      })
    }
    next()
  }
}

const pathOf = (url: string): string => {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/** TIG 2024 §1.14: CORS for every origin (preflight allows the Authorization header); the security headers */
export function cors(req: Request, res: Response, next: NextFunction) {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value)
  res.setHeader('Access-Control-Allow-Origin', '*')
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After, X-Request-Id, WWW-Authenticate')
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS')
    res.setHeader(
      'Access-Control-Allow-Headers',
      'Authorization, Accept, Content-Type, X-Request-Id',
    )
    res.setHeader('Access-Control-Max-Age', '86400')
    res.setHeader('Allow', 'GET, HEAD, OPTIONS')
    res.status(204).end()
    return
  }
  next()
}

export type VerifyBearer = (req: {
  authorization: string | undefined
  purpose?: string
}) => Promise<Viewer>

/**
 * The viewer of a request: the anonymous viewer, or for a bearer token a promise of the viewer, so
 * that the object can be read while the token and accreditation are checked. Every route that
 * answers awaits it first: a bad token is an error, never a silent public view. With rate limits,
 * the viewer comes once its query is taken from its budget (RATE_LIMITED when there is none left).
 */
export function viewerFrom(verifyBearer: VerifyBearer, limits?: RateLimits, trustProxy = false) {
  // `anonymous`: the viewer as if no token came (the public web pages ignore one)
  return (req: Request, anonymous = false): Viewer | Promise<Viewer> => {
    const authorization = anonymous ? undefined : req.headers.authorization
    // the socket's own address unless a trusted proxy names the client (req.ip parses headers)
    const address = (trustProxy ? req.ip : req.socket.remoteAddress) ?? ''
    const limited = limits && !limits.exempt(address) ? limits : undefined
    // the common case stays synchronous: no promise per anonymous request
    if (authorization === undefined) return limited ? spend(limited, ANONYMOUS, address) : ANONYMOUS
    const purpose = typeof req.query.purpose === 'string' ? req.query.purpose : undefined
    let viewer = verifyBearer({ authorization, ...(purpose ? { purpose } : {}) })
    if (limited) viewer = viewer.then((v) => spend(limited, v, address))
    viewer.catch(() => undefined) // a route that fails first must not leave the rejection unhandled
    return viewer
  }
}

/** takes the viewer's query from its budget: the public's by address, others' by who they are */
async function spend(limits: RateLimits, viewer: Viewer, address: string): Promise<Viewer> {
  const wait = await limits.take(
    viewer.kind === 'anonymous'
      ? { tier: 'public', address }
      : {
          tier: 'authenticated',
          subject:
            viewer.kind === 'registrar'
              ? `registrar ${viewer.registrarId}`
              : `${viewer.issuer ?? ''} ${viewer.subject ?? ''}`,
        },
  )
  if (wait !== undefined)
    throw new AppError('RATE_LIMITED', `Too many queries; try again in ${wait} seconds.`, {
      retryAfterSeconds: wait,
    })
  return viewer
}

export type ViewerOf = ReturnType<typeof viewerFrom>
