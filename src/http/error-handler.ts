import type { NextFunction, Request, Response } from 'express'
import type { Logger } from '../log.js'
import { sendError, type SiteConfig } from './respond.js'

/** the one error handler: AppError → its status; anything else → a generic 500, details to the log */
export function errorHandler(log: Logger, site: SiteConfig) {
  const send = sendError(log, site)
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    send(err, req, res)
  }
}
