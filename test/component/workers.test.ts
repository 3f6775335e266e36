import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { request as httpRequest } from 'node:http'
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.js'
import { isolatedEnv, startServerProcess, type ServerProcess } from '../helpers/processes.js'

/** one GET on a connection of its own: its status, or how it failed */
function get(port: number, path: string, id?: string): Promise<number | string> {
  return new Promise((resolve) => {
    const headers = id ? { 'X-Request-Id': id } : {}
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
    })
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
    req.end()
  })
}

const pidsOf = (output: string) =>
  [...output.matchAll(/"pid":(\d+),"msg":"worker started"/g)].map((m) => Number(m[1]))

// WORKERS needs a PostgreSQL server: the embedded database has one owner process
;(ENGINE === 'pg' ? describe : describe.skip)('WORKERS=2 (node cluster, PostgreSQL)', () => {
  let db: TestDb
  let server: ServerProcess
  beforeAll(async () => {
    db = await openTestDb({ seed: false })
    const url = new URL(process.env.DATABASE_URL!)
    url.searchParams.set('options', `-c search_path=${db.schema}`)
    server = await startServerProcess(
      await isolatedEnv({
        DATABASE_URL: url.href,
        DEMO: 'true',
        WORKERS: '2',
        RATE_LIMIT_PUBLIC: '0',
        LOG_LEVEL: 'debug',
      }),
    )
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
    await db.close()
  })

  test('two workers answer on the shared ports; one killed is replaced and service goes on', async () => {
    expect(pidsOf(server.output())).toHaveLength(2)
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => get(server.httpPort, '/rdap/domain/privacy.example')),
    )
    expect(new Set(statuses)).toEqual(new Set([200]))
    const [victim] = pidsOf(server.output())
    process.kill(victim!, 'SIGKILL')
    const until = Date.now() + 20_000
    while (pidsOf(server.output()).length < 3 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100))
    expect(pidsOf(server.output())).toHaveLength(3)
    expect(server.output()).toContain('worker died; starting another')
    await new Promise((r) => setTimeout(r, 2000)) // the new worker listens
    const after = await Promise.all(
      Array.from({ length: 40 }, () => get(server.httpPort, '/rdap/domain/privacy.example')),
    )
    expect(new Set(after)).toEqual(new Set([200]))
  }, 60_000)

  test('SIGTERM under load: every request the server received is answered, then all exit 0', async () => {
    const results = new Map<string, number | string>()
    let sending = true
    let n = 0
    const load = Array.from({ length: 8 }, async () => {
      while (sending) {
        const id = `load-${++n}`
        results.set(id, await get(server.httpPort, '/rdap/domain/privacy.example', id))
      }
    })
    await new Promise((r) => setTimeout(r, 1000))
    const code = server.stop()
    // go on sending while the workers stop: what they took in must still be answered
    await new Promise((r) => setTimeout(r, 1500))
    sending = false
    await Promise.all(load)
    expect(await code).toBe(0)
    const received = [
      ...server.output().matchAll(/"reqId":"(load-\d+)","msg":"request received"/g),
    ].map((m) => m[1]!)
    expect(received.length).toBeGreaterThan(50)
    // each request a worker received was answered, and the client got the answer
    for (const id of received) expect([id, results.get(id)]).toEqual([id, 200])
    // the rest never reached a worker: refused, or reset in the kernel's queue as the ports closed
    const unanswered = [...results].filter(([, r]) => r !== 200).map(([, r]) => r)
    for (const r of unanswered) expect(['ECONNREFUSED', 'ECONNRESET']).toContain(r)
    expect(server.output()).toMatch(/"auditCheckpoint"/)
  }, 60_000)
})
