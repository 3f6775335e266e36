import type { Request, Response } from 'express'
import { asAppError } from '../errors.js'
import type { Logger } from '../log.js'
import { parseUrl } from '../url.js'
import { errorBody, HTTP_STATUS } from '../rdap/errors.js'
import type { RdapResponse } from '../rdap/model.js'
import { rdapJson } from '../rdap/serialize.js'
import type { RenderContext } from '../rdap/envelope.js'

/** deployment facts every response needs */
export interface SiteConfig {
  /** RDAP base URL as clients see it; unset: derived from the request's Host */
  readonly publicBaseUrl?: string
  /** the terms of service; unset: the server's own /terms page */
  readonly termsUrl?: string
  readonly port43?: string
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/

export function renderContextOf(req: Request, site: SiteConfig): RenderContext {
  const { baseUrl, origin } = baseOf(req, site)
  return {
    baseUrl,
    requestUrl: requestUrlOf(origin, req.originalUrl),
    now: new Date(),
    termsUrl: site.termsUrl ?? `${origin}/terms`,
    ...(site.port43 ? { port43: site.port43 } : {}),
  }
}

/** the RDAP base URL and the origin of a request's answer */
export function baseOf(req: Request, site: SiteConfig): { baseUrl: string; origin: string } {
  return site.publicBaseUrl
    ? // checked as a URL when the configuration loads
      { baseUrl: site.publicBaseUrl, origin: originOf(site.publicBaseUrl) ?? 'http://localhost' }
    : hostBase(req)
}

/** the base URL from the Host header when it names a host URL can parse ("[:::]" passes HOST) */
function hostBase(req: Request): { baseUrl: string; origin: string } {
  const host = req.get('host')
  const given = host && HOST.test(host) ? `${req.protocol}://${host}` : undefined
  const origin = given && originOf(given)
  if (given && origin) return { baseUrl: `${given}/rdap/`, origin }
  const local = `${req.protocol}://localhost`
  return { baseUrl: `${local}/rdap/`, origin: local }
}

// A request target that URL parsing leaves as it is: a path (not '//', which would name a host)
// of characters it never escapes, without dot segments: most lookups are, and need no URL parse.
const PLAIN_TARGET = /^\/(?!\/)[A-Za-z0-9\-._~!$&()*+,;=:@/?]*$/

/** the absolute URL of `target` (a request's path and query) at `origin` (as URL writes origins) */
export function requestUrlOf(origin: string, target: string): string {
  if (PLAIN_TARGET.test(target) && !target.includes('/.')) return origin + target
  // a target URL cannot parse (a backslash after the first slash reads as '//' and no host) gets the
  // site's root instead
  return parseUrl(target, origin)?.href ?? `${origin}/`
}

// one entry: a server is asked under one Host, or a few
let lastOrigin: { readonly of: string; readonly origin: string | undefined } = {
  of: '',
  origin: undefined,
}

/** the origin of `url` as URL writes it (lowercase host, no default port); undefined if no URL */
function originOf(url: string): string | undefined {
  if (lastOrigin.of !== url) lastOrigin = { of: url, origin: parseUrl(url)?.origin }
  return lastOrigin.origin
}

/**
 * RFC 7480 §4.2: application/rdap+json whatever the Accept; personal data never in shared caches.
 * The one place an RDAP response becomes JSON text, which it returns (none for a 304).
 */
export function sendRdap(
  res: Response,
  status: number,
  response: RdapResponse,
  options: { cache: boolean },
): string | undefined {
  if (notModified(res, status, options)) return undefined
  const body = rdapJson(response)
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.end(body)
  return body
}

/** sends an RDAP body already made, as `sendRdap` would have */
export function sendRdapBody(res: Response, body: Buffer, options: { cache: boolean }): void {
  if (notModified(res, 200, options)) return
  res.setHeader('Content-Length', body.length)
  res.end(body)
}

/** an RDAP response's headers; true when it was answered 304 (the caller sends no body) */
function notModified(res: Response, status: number, options: { cache: boolean }): boolean {
  // node's own calls: express's send would parse the type just given and copy the body to count
  // it; node sends no body to HEAD
  res.statusCode = status
  res.setHeader('Content-Type', 'application/rdap+json; charset=utf-8')
  res.setHeader('Vary', 'Authorization')
  res.setHeader('Cache-Control', options.cache ? 'public, max-age=60' : 'private, no-store')
  // with no ETag or Last-Modified only "If-None-Match: *" can match (RFC 9110 §13.1.2): 304
  if (!res.req.fresh) return false
  res.statusCode = 304
  res.removeHeader('Content-Type')
  res.end()
  return true
}

/** answers an error as RFC 9083 says; routes use it directly for expected outcomes such as 404 */
export function sendError(log: Logger, site: SiteConfig) {
  return (thrown: unknown, req: Request, res: Response): void => {
    const ctx = renderContextOf(req, site)
    const err = asAppError(thrown)
    if (err) {
      const status = HTTP_STATUS[err.code]
      if (err.code === 'UNAUTHORIZED') {
        // RFC 6750 §3: the token was rejected; the description is ours, never the token
        res.setHeader(
          'WWW-Authenticate',
          `Bearer realm="rdap", error="invalid_token", error_description="${err.message.replace(/["\\]/g, '')}"`,
        )
      }
      // RFC 6750 §3.1: a request without a token gets the bare challenge
      if (err.code === 'TOKEN_REQUIRED') res.setHeader('WWW-Authenticate', 'Bearer realm="rdap"')
      if (status === 503 || err.retryAfterSeconds)
        res.setHeader('Retry-After', String(err.retryAfterSeconds ?? RETRY_AFTER_SECONDS))
      if (status >= 500)
        log.warn(
          { reqId: res.locals.requestId, code: err.code, err: causeOf(err.cause) },
          err.message,
        )
      sendRdap(res, status, errorBody(status, err.message, ctx), { cache: false })
      return
    }
    const status = clientErrorStatus(thrown)
    if (status) {
      sendRdap(res, status, errorBody(status, 'The request could not be understood.', ctx), {
        cache: false,
      })
      return
    }
    log.error({ reqId: res.locals.requestId, err: thrown }, 'unexpected error')
    sendRdap(res, 500, errorBody(500, 'An error was encountered.', ctx), { cache: false })
  }
}

/** RFC 9110 §10.2.3: when a 503's client may try again; an outage of the database is seconds */
export const RETRY_AFTER_SECONDS = 5

/** a failure's message and code for the log; a driver's error may carry values in its detail */
export function causeOf(cause: unknown): unknown {
  const inner = (cause as { cause?: unknown })?.cause ?? cause
  if (!(inner instanceof Error)) return inner
  const code = (inner as { code?: unknown }).code
  return { type: inner.name, message: inner.message, ...(code ? { code } : {}) }
}

/** express and its parsers mark bad input (undecodable URL, oversized body) with a 4xx status */
function clientErrorStatus(err: unknown): number | undefined {
  const status =
    (err as { status?: unknown; statusCode?: unknown })?.status ??
    (err as { statusCode?: unknown })?.statusCode
  return typeof status === 'number' && status >= 400 && status < 500 ? 400 : undefined
}
