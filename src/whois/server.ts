import type { Metrics } from '../metrics.js'
import { createServer, type Server, type Socket } from 'node:net'
import { ANONYMOUS } from '../domain/audience.js'
import { asAppError } from '../errors.js'
import {
  lookupDomain,
  lookupNameserver,
  lookupRegistrars,
  describeTld,
  servedTlds,
  TldNotServedError,
  type LookupContext,
  type LookupDeps,
} from '../lookup.js'
import type { RateLimits } from '../limits/rate-limits.js'
import { createConnectionTable, type Refusal } from './connections.js'
import { parseWhoisQuery } from './query.js'
import {
  renderWhoisDomain,
  renderWhoisHelp,
  renderWhoisList,
  renderWhoisNameserver,
  renderWhoisNotFound,
  renderWhoisRegistrar,
  whoisErrorLine,
  type WhoisContext,
} from './render.js'

export interface WhoisLimits {
  /** bytes allowed before the end of the query line */
  readonly maxQueryBytes: number
  /** the whole query must arrive within this, however slowly it trickles (slowloris) */
  readonly queryDeadlineMs: number
  readonly maxConnections: number
  readonly maxConnectionsPerIp: number
  /** from one IPv4 /24 or IPv6 /48 */
  readonly maxConnectionsPerNetwork: number
}

const REFUSALS: Readonly<Record<Refusal, string>> = {
  address: 'too many connections from your address; try again later',
  network: 'too many connections from your network; try again later',
  full: 'too many connections; try again later',
}

// decode() without { stream } keeps no state between calls, so one decoder serves every query
const UTF8 = new TextDecoder('utf-8', { fatal: true })

export const DEFAULT_WHOIS_LIMITS: WhoisLimits = {
  maxQueryBytes: 512,
  queryDeadlineMs: 5000,
  maxConnections: 1024,
  maxConnectionsPerIp: 32,
  maxConnectionsPerNetwork: 128,
}

export interface WhoisDeps extends LookupDeps {
  readonly termsOfUse: string
  readonly limits?: Partial<WhoisLimits>
  /** query budgets: port 43 is always the public, counted by address */
  readonly rateLimits?: RateLimits
  readonly metrics?: Metrics
  /** the clock for "Last update of WHOIS database"; fixed in golden tests */
  readonly now?: () => Date
}

/**
 * RFC 3912 over TCP: one line in, the answer out, close. Port 43 cannot authenticate, so every
 * answer is the public view. Never throws into a socket: every failure is one error line.
 */
export function createWhoisServer(deps: WhoisDeps): Server {
  const limits = { ...DEFAULT_WHOIS_LIMITS, ...deps.limits }
  const table = createConnectionTable(limits)
  deps.metrics?.watch(() => ({ whoisOpen: table.size }))
  const evict = (idle: Socket) => {
    table.release(idle)
    idle.destroy()
  }
  let requestSeq = 0
  const server = createServer({ allowHalfOpen: false, noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy())
    const refused = table.admit(socket, evict)
    if (refused) {
      deps.metrics?.whoisRefused(refused)
      return finish(socket, whoisErrorLine(REFUSALS[refused]))
    }
    socket.once('close', () => table.release(socket))
    serve(socket, `w${++requestSeq}`, socket.remoteAddress ?? 'unknown', () =>
      table.answering(socket),
    )
  })
  // a backstop: refused connections close at once, but each still holds a socket until it does
  server.maxConnections = limits.maxConnections * 2

  function serve(socket: Socket, requestId: string, address: string, answering: () => void): void {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const deadline = setTimeout(
      () => answer(whoisErrorLine('timeout: send one query line ending in CRLF')),
      limits.queryDeadlineMs,
    )
    const answer = (text: string) => {
      if (done) return
      done = true
      clearTimeout(deadline)
      socket.removeAllListeners('data')
      finish(socket, text)
    }
    socket.on('data', (chunk: Buffer) => {
      const newline = chunk.indexOf(0x0a)
      const take = newline >= 0 ? chunk.subarray(0, newline) : chunk
      size += take.length
      if (size > limits.maxQueryBytes) return answer(whoisErrorLine('query too long'))
      chunks.push(take)
      if (newline < 0) return
      socket.pause()
      answering()
      const started = performance.now()
      respond(Buffer.concat(chunks), requestId, address, (query, status) =>
        deps.metrics?.request(
          'whois',
          query,
          'public',
          status,
          (performance.now() - started) / 1000,
        ),
      ).then(answer, (err: unknown) => {
        deps.log.error({ err, requestId }, 'whois query failed')
        answer(whoisErrorLine('internal error'))
      })
    })
    socket.once('end', () => answer(whoisErrorLine('no query received')))
    // a connection closed to make room, or reset, keeps no timer alive until its deadline
    socket.once('close', () => clearTimeout(deadline))
  }

  async function respond(
    raw: Buffer,
    requestId: string,
    address: string,
    count: (query: string, status: string) => void,
  ): Promise<string> {
    const limits = deps.rateLimits
    if (limits && !limits.exempt(address)) {
      const wait = await limits.take({ tier: 'public', address })
      if (wait !== undefined) {
        count('unknown', 'rate_limited')
        return whoisErrorLine(`query limit exceeded; try again in ${wait} seconds`)
      }
    }
    let line: string
    try {
      line = UTF8.decode(raw).replace(/\r$/, '')
    } catch {
      return whoisErrorLine('the query is not UTF-8 text')
    }
    const query = parseWhoisQuery(line)
    const now = deps.now?.() ?? new Date()
    const ctx: WhoisContext = { now, termsOfUse: deps.termsOfUse }
    const lookupCtx: LookupContext = { viewer: ANONYMOUS, requestId, now }
    const outcome = (status: string, text: string) => {
      count(query.kind, status)
      return text
    }
    try {
      const text = await answerQuery()
      return outcome(text.startsWith('Error:') ? 'error' : 'ok', text)
    } catch (thrown) {
      const err = asAppError(thrown)
      if (err?.code === 'NOT_FOUND') {
        return outcome(
          'not_found',
          renderWhoisNotFound(
            query.kind === 'domain' || query.kind === 'nameserver' ? query.asked : '',
            ctx,
            err instanceof TldNotServedError ? err.message : undefined,
          ),
        )
      }
      if (err?.code === 'UNAVAILABLE') {
        deps.log.warn({ requestId, err: { message: (thrown as Error).message } }, err.message)
        return outcome('unavailable', whoisErrorLine('service temporarily unavailable'))
      }
      if (err) return outcome('error', whoisErrorLine(err.message))
      deps.log.error({ err: thrown, requestId }, 'whois lookup failed')
      return outcome('error', whoisErrorLine('service temporarily unavailable'))
    }

    async function answerQuery(): Promise<string> {
      switch (query.kind) {
        case 'invalid':
          return whoisErrorLine(query.problem)
        case 'help':
          return renderWhoisHelp(ctx, (await servedTlds(deps)).map(describeTld))
        case 'domain':
          return renderWhoisDomain(await lookupDomain(deps, query.name, lookupCtx), ctx)
        case 'nameserver':
          return renderWhoisNameserver(await lookupNameserver(deps, query.name, lookupCtx), ctx)
        case 'registrar': {
          const found = await lookupRegistrars(deps, query.text, lookupCtx)
          if (found.length === 0) return renderWhoisNotFound(query.text, ctx)
          if (found.length === 1) return renderWhoisRegistrar(found[0]!, ctx)
          const names = found.flatMap((d) =>
            d.record.kind === 'registrar'
              ? [`${d.record.registrar.name ?? ''} (${d.record.registrar.ianaId})`]
              : [],
          )
          return renderWhoisList('Query matched more than one registrar:', names, ctx)
        }
      }
    }
  }

  return server
}

function finish(socket: Socket, text: string): void {
  if (socket.destroyed) return
  socket.end(text)
  // read on, so the peer's FIN closes the socket at once; what it still sends is ignored
  socket.removeAllListeners('data')
  socket.on('data', () => undefined)
  socket.resume()
  // a peer that never reads must not hold the socket open; the timer goes with the socket
  const guard = setTimeout(() => socket.destroy(), 5000).unref()
  socket.once('close', () => clearTimeout(guard))
}
