import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http'
import type { Express } from 'express'

/**
 * node's HTTP server for an express app, making each request and response with the app's
 * prototypes from the start. Express otherwise swaps the prototype of every request and response
 * as it arrives (Object.setPrototypeOf); here that finds the prototype already in place and changes
 * nothing: the swap made V8 keep part of every request's garbage alive into the old generation.
 *
 * The app's request and response prototypes become these classes' prototypes, with the same
 * chain as express builds (the app's own `app` member, then express's request or response, then
 * node's), so everything express adds behaves as before.
 */
export function httpServerFor(app: Express): Server {
  class Request extends IncomingMessage {}
  class Response extends ServerResponse {}
  adopt(Request.prototype, app.request, app)
  adopt(Response.prototype, app.response, app)
  app.request = Request.prototype as Express['request']
  app.response = Response.prototype as Express['response']
  return createServer({ IncomingMessage: Request, ServerResponse: Response }, app)
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
