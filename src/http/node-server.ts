import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http'
import type { Express } from 'express'
import type { EdgeHandler } from './cached-lookups.js'

/**
 * node's HTTP server for an express app, making each request and response with the app's
 * prototypes from the start. Express otherwise swaps the prototype of every request and response
 * as it arrives (Object.setPrototypeOf); here that finds the prototype already in place and changes
 * nothing: the swap made V8 keep part of every request's garbage alive into the old generation.
 * `before` may answer a request first (the answer cache's lookups), or leave it to the app.
 *
 * The app's request and response prototypes become these classes' prototypes, with the same
 * chain as express builds (the app's own `app` member, then express's request or response, then
 * node's), so everything express adds behaves as before.
 */
export function httpServerFor(app: Express, before?: EdgeHandler): Server {
  class Request extends IncomingMessage {}
  class Response extends ServerResponse {}
  adopt(Request.prototype, app.request, app)
  adopt(Response.prototype, app.response, app)
  app.request = Request.prototype as Express['request']
  app.response = Response.prototype as Express['response']
  const options = { IncomingMessage: Request, ServerResponse: Response }
  if (!before) return createServer(options, app)
  return createServer(options, (req, res) => before(req, res) || app(req, res))
}

/** makes `proto` stand where express's per-app prototype `appProto` stood */
function adopt(proto: object, appProto: object, app: Express): void {
  Object.setPrototypeOf(proto, Object.getPrototypeOf(appProto))
  Object.defineProperty(proto, 'app', {
    configurable: true,
    enumerable: true,
    writable: true,
    value: app,
  })
}
