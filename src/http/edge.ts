import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { errorBody, reasonPhrase } from '../rdap/errors.js'
import { rdapJson } from '../rdap/serialize.js'
import type { SiteConfig } from './respond.js'

/** headers every HTTP response carries: nothing a browser may sniff, frame or run from it */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Referrer-Policy', 'no-referrer'],
]

/** how long a client may take: its headers, its whole request, and an idle kept-alive connection */
export const HTTP_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 }

/**
 * What node answers itself, before express sees a request, answered as RFC 9083 says: a request
 * line or headers over node's limit (about 16 KB) get 431 (414 for the line alone, where node can
 * tell), anything unparsable 400, each with an RFC 9083 body and the same headers as every answer.
 */
export function hardenEdge(server: Server, site: SiteConfig): void {
  server.headersTimeout = HTTP_TIMEOUTS.headersMs
  server.requestTimeout = HTTP_TIMEOUTS.requestMs
  server.keepAliveTimeout = HTTP_TIMEOUTS.keepAliveMs
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy()
      return
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : err.code === 'HPE_URI_TOO_LONG'
          ? 414
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? 408
            : 400
    const base = site.publicBaseUrl ?? 'http://localhost/rdap/'
    const body = rdapJson(
      errorBody(status, DESCRIPTIONS[status] ?? 'The request could not be understood.', {
        baseUrl: base,
        requestUrl: base,
        now: new Date(),
        termsUrl: site.termsUrl ?? new URL('/terms', base).href,
      }),
    )
    const headers = [
      `HTTP/1.1 ${status} ${reasonPhrase(status)}`,
      'Content-Type: application/rdap+json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Access-Control-Allow-Origin: *',
      'Cache-Control: no-store',
      ...SECURITY_HEADERS.map(([name, value]) => `${name}: ${value}`),
      'Connection: close',
    ]
    socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`)
  })
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  408: 'The request took too long to arrive.',
  414: 'The request URL is too long.',
  431: 'The request URL or headers are too large.',
}
