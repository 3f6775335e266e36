import { chmod, unlink } from 'node:fs/promises'
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { Readable, Writable } from 'node:stream'
import { DepositError, type ImportProgress, type ImportSummary } from '../ingest/import.js'
import type { ExportSummary } from '../ingest/rde-write.js'
import type { Logger } from '../log.js'
import type { DepositStreams } from './deposits.js'
import { OperationError } from './operations.js'

const MAX_BODY = 64 * 1024

/**
 * The owner's door for local tools: HTTP on a Unix socket that only this OS user can open (0600),
 * one POST /op/<name> per operation, JSON in and out. The operations run on the owner's own
 * database handle, so nothing the CLI does can interleave with a transaction of the server's.
 */
export async function serveOperator(
  path: string,
  run: (name: string, args: unknown) => Promise<unknown>,
  log: Logger,
  deposits?: DepositStreams,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (deposits && req.method === 'POST' && req.url?.startsWith('/stream/'))
      return streamDeposit(deposits, req, res, log)
    const name = /^\/op\/([a-z.-]+)$/.exec(req.url ?? '')?.[1]
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
    if (req.method !== 'POST' || !name) return reply(404, { error: 'no such operation' })
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= MAX_BODY) chunks.push(c)
    })
    req.on('end', () => {
      if (size > MAX_BODY) return reply(413, { error: 'the request is too large' })
      let args: unknown
      try {
        args = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
      } catch {
        return reply(400, { error: 'the request is not JSON' })
      }
      log.info({ operation: name }, 'operator request')
      run(name, args).then(
        (result) => reply(200, { result }),
        (err: unknown) => {
          if (err instanceof OperationError) return reply(422, { error: err.message })
          log.error({ err, operation: name }, 'operation failed')
          reply(500, { error: `${name} failed: ${(err as Error)?.message ?? String(err)}` })
        },
      )
    })
  })
  // no request may hang the CLI forever, but a large seed takes minutes
  server.requestTimeout = 0
  await unlink(path).catch(() => undefined) // a socket left by an owner that died
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => {
      server.off('error', reject)
      resolve()
    })
  })
  await chmod(path, 0o600)
  return server
}

/** an operation answered with an error: what it said, for one line on stderr */
export class OperatorCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'OperatorCallError'
  }
}

/** runs `name` at the owner behind `path`; resolves to its result */
export function callOperator(path: string, name: string, args: unknown): Promise<unknown> {
  const body = JSON.stringify(args)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: path,
        method: 'POST',
        path: `/op/${name}`,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          let answer: { result?: unknown; error?: string }
          try {
            answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof answer
          } catch {
            return reject(
              new OperatorCallError('the server answered something else than JSON', 502),
            )
          }
          if (res.statusCode === 200) resolve(answer.result)
          else
            reject(
              new OperatorCallError(
                answer.error ?? `status ${res.statusCode}`,
                res.statusCode ?? 0,
              ),
            )
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * Deposits go through the socket as streams: an import's body is the deposit, answered with one
 * JSON line per progress report and a last line with the result or the error; an export's answer
 * is the deposit, with its summary in a trailer.
 */
function streamDeposit(
  deposits: DepositStreams,
  req: IncomingMessage,
  res: ServerResponse,
  log: Logger,
): void {
  const url = new URL(req.url ?? '/', 'http://operator')
  if (url.pathname === '/stream/import') {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' })
    const line = (value: unknown) => res.write(`${JSON.stringify(value)}\n`)
    let last = 0
    log.info({ operation: 'import' }, 'operator request')
    deposits
      .importDeposit(
        req,
        {
          lenient: url.searchParams.get('lenient') === '1',
          operator: url.searchParams.get('operator') ?? undefined,
          host: url.searchParams.get('host') ?? undefined,
        },
        (progress) => {
          // a few reports a second are enough to move a bar
          if (Date.now() - last < 200 && progress.phase === 'reading') return
          last = Date.now()
          line({ progress })
        },
      )
      .then(
        (result) => res.end(`${JSON.stringify({ result })}\n`),
        (err: unknown) => {
          req.resume() // the rest of the deposit is not read; let the client finish sending it
          if (!(err instanceof DepositError)) log.error({ err }, 'import failed')
          const deposit = err instanceof DepositError
          res.end(
            `${JSON.stringify({ error: (err as Error)?.message ?? String(err), deposit, ...(deposit ? { at: err.at } : {}) })}\n`,
          )
        },
      )
    return
  }
  if (url.pathname === '/stream/export') {
    res.writeHead(200, { 'content-type': 'application/xml', Trailer: 'x-summary' })
    deposits.exportDeposit(res).then(
      (summary) => {
        res.addTrailers({ 'x-summary': JSON.stringify(summary) })
        res.end()
      },
      (err: unknown) => {
        log.error({ err }, 'export failed')
        res.destroy(err as Error)
      },
    )
    return
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such stream"}')
}

/** sends a deposit to the owner behind `path` to import */
export function importThrough(
  path: string,
  input: Readable,
  options: { lenient: boolean; operator: string; host: string },
  onProgress?: (p: ImportProgress) => void,
): Promise<ImportSummary> {
  const query = new URLSearchParams({
    lenient: options.lenient ? '1' : '0',
    operator: options.operator,
    host: options.host,
  })
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: path, method: 'POST', path: `/stream/import?${query}` },
      (res) => {
        let buffered = ''
        let settled = false
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buffered += chunk
          for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
            const message = JSON.parse(buffered.slice(0, nl)) as {
              progress?: ImportProgress
              result?: ImportSummary
              error?: string
              deposit?: boolean
              at?: { line: number; col: number }
            }
            buffered = buffered.slice(nl + 1)
            if (message.progress) onProgress?.(message.progress)
            else if (message.result) {
              settled = true
              resolve(message.result)
            } else if (message.error !== undefined) {
              settled = true
              input.unpipe(req)
              reject(
                message.deposit
                  ? new DepositError(message.error, message.at)
                  : new OperatorCallError(`import failed: ${message.error}`, 500),
              )
            }
          }
        })
        res.on('end', () => {
          if (!settled)
            reject(new OperatorCallError('the server ended the import without an answer', 502))
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    input.on('error', (err) => req.destroy(err))
    input.pipe(req)
  })
}

/** asks the owner behind `path` for the registry as a deposit, written to `out` */
export function exportThrough(path: string, out: Writable): Promise<ExportSummary> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: path, method: 'POST', path: '/stream/export' }, (res) => {
      res.pipe(out, { end: false })
      res.on('end', () => {
        const summary = res.trailers['x-summary']
        if (summary) resolve(JSON.parse(summary) as ExportSummary)
        else reject(new OperatorCallError('the export ended before the registry was written', 502))
      })
      res.on('error', reject)
      res.on('aborted', () => reject(new OperatorCallError('the export was cut off', 502)))
    })
    req.on('error', reject)
    req.end()
  })
}
