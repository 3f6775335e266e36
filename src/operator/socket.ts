import { chmod, unlink } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import type { Logger } from '../log.js'
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
): Promise<Server> {
  const server = createServer((req, res) => {
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
