import type { NextFunction, Request, Response } from 'express'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import { errorBody, HTTP_STATUS } from '../rdap/errors.js'
import { sendRdap, renderContextOf, type SiteConfig } from '../rdap/respond.js'

/** the one error handler: AppError → its status; anything else → a generic 500, details to the log */
export function errorHandler(log: Logger, site: SiteConfig) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    const ctx = renderContextOf(req, site)
    if (err instanceof AppError) {
      const status = HTTP_STATUS[err.code]
      if (err.code === 'UNAUTHORIZED') {
        // RFC 6750 §3: the token was rejected; the description is ours, never the token
        res.setHeader('WWW-Authenticate', `Bearer realm="rdap", error="invalid_token", error_description="${err.message.replace(/["\\]/g, '')}"`)
      }
      if (status >= 500) log.warn({ reqId: res.locals.requestId, code: err.code, err: err.cause }, err.message)
      return sendRdap(res, status, errorBody(status, err.message, ctx), { cache: false })
    }
    const status = clientErrorStatus(err)
    if (status) return sendRdap(res, status, errorBody(status, 'The request could not be understood.', ctx), { cache: false })
    log.error({ reqId: res.locals.requestId, err }, 'unexpected error')
    return sendRdap(res, 500, errorBody(500, 'An error was encountered.', ctx), { cache: false })
  }
}

/** express and its parsers mark bad input (undecodable URL, oversized body) with a 4xx status */
function clientErrorStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode
  return typeof status === 'number' && status >= 400 && status < 500 ? 400 : undefined
}
