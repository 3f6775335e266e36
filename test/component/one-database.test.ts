import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.js'
import {
  isolatedEnv,
  runCli,
  startServerProcess,
  type ServerProcess,
} from '../helpers/processes.js'

/**
 * The server and the command line, each a process of its own as an operator runs them, work on one
 * database: what the CLI changes takes effect on the server's next request, and what the server
 * writes the CLI sees. The embedded database, in memory or in a folder, has one owner.
 */
const lanes = ENGINE === 'pg' ? (['postgres'] as const) : (['in memory', 'in a folder'] as const)

describe.each(lanes)('the server and the CLI on one database (%s)', (lane) => {
  let env: Record<string, string>
  let server: ServerProcess
  let db: TestDb | undefined
  let token: string
  const lookup = (auth = token) =>
    fetch(`${server.base}/rdap/domain/privacy.example`, {
      headers: { authorization: `Bearer ${auth}` },
    }).then((r) => r.status)
  const rdds = (...args: string[]) => runCli(env, ...args)

  beforeAll(async () => {
    env = await isolatedEnv()
    if (lane === 'in a folder') env.PGLITE_DIR = join(env.DATA_DIR!, '..', 'db')
    if (lane === 'postgres') {
      db = await openTestDb({ seed: false })
      const url = new URL(process.env.DATABASE_URL!)
      url.searchParams.set('options', `-c search_path=${db.schema}`)
      // the demo registry and issuer, asked for by name: never on a server database otherwise
      Object.assign(env, { DATABASE_URL: url.href, DEMO: 'true' })
    }
    server = await startServerProcess(env)
    const issued = await rdds('token', '--audience', 'accredited:law-enforcement')
    expect(issued.code).toBe(0)
    expect(issued.stderr).toContain(`http://127.0.0.1:${server.httpPort}/rdap/`)
    token = issued.stdout.trim().split('\n').at(-1)!
  }, 60000)

  afterAll(async () => {
    await server?.stop()
    await db?.close()
  })

  test('audit list shows exactly the disclosures the server made, newest first', async () => {
    for (let i = 0; i < 3; i++) expect(await lookup()).toBe(200)
    const listed = await rdds('audit', 'list', '--json')
    expect(listed.code).toBe(0)
    const rows = JSON.parse(listed.stdout) as Array<{ id: number; subject: string }>
    expect(rows).toHaveLength(3)
    expect(rows.map((r) => r.subject)).toEqual(Array(3).fill('demo-accredited-law-enforcement'))
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((a, b) => b - a))
    const oldest = JSON.parse((await rdds('audit', 'list', '--oldest', '--json')).stdout)
    expect(oldest.map((r: { id: number }) => r.id)).toEqual(rows.map((r) => r.id).reverse())
  }, 60000)

  test('suspend refuses the next request, activate allows it again; each change is in the history', async () => {
    expect(await lookup()).toBe(200)
    const suspended = await rdds('accreditation', 'suspend', 'demo-accreditation')
    expect(suspended).toMatchObject({
      code: 0,
      stdout: 'accreditation demo-accreditation is suspended\n',
    })
    expect(await lookup()).toBe(403)
    expect((await rdds('accreditation', 'activate', 'demo-accreditation')).code).toBe(0)
    expect(await lookup()).toBe(200)
    expect((await rdds('accreditation', 'revoke', 'demo-accreditation')).code).toBe(0)
    expect(await lookup()).toBe(403)
    expect((await rdds('accreditation', 'activate', 'demo-accreditation')).code).toBe(0)

    const history = await rdds('accreditation', 'history', 'demo-accreditation', '--json')
    const changes = JSON.parse(history.stdout) as Array<Record<string, string>>
    expect(changes.map((c) => [c.action, c.status])).toEqual([
      ['add', 'active'],
      ['suspend', 'suspended'],
      ['activate', 'active'],
      ['revoke', 'revoked'],
      ['activate', 'active'],
    ])
    expect(changes[1]).toMatchObject({ operator: expect.any(String), host: expect.any(String) })

    const named = await runCli(
      { ...env, RDDS_OPERATOR: 'officer-7' },
      'accreditation',
      'suspend',
      'demo-accreditation',
    )
    expect(named.code).toBe(0)
    const last = JSON.parse(
      (await rdds('accreditation', 'history', 'demo-accreditation', '--json')).stdout,
    )
    expect(last.at(-1)).toMatchObject({ action: 'suspend', operator: 'officer-7' })
    expect((await rdds('accreditation', 'activate', 'demo-accreditation')).code).toBe(0)
  }, 60000)

  test('a missing accreditation is one line and exit 1, a wrong use the usage and exit 2', async () => {
    const missing = await rdds('accreditation', 'suspend', 'nobody')
    expect(missing).toMatchObject({ code: 1, stdout: '' })
    expect(missing.stderr).toBe('rdds: no accreditation nobody\n')
    const wrong = await rdds('audit', 'list', '--limit', 'many')
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/--limit/)
    expect(wrong.stderr).toMatch(/Usage: rdds audit list/)
  }, 60000)

  if (lane === 'in a folder') {
    test('a second server on the same folder is refused with one line naming the owner', async () => {
      const second = await isolatedEnv({ PGLITE_DIR: env.PGLITE_DIR! })
      const refused = await startServerProcess(second).then(
        async (s) => {
          await s.stop()
          return 'it started'
        },
        (err: Error) => err.message,
      )
      const lines = refused.trim().split('\n').slice(1)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(
        new RegExp(
          `in use by a server \\(HTTP port ${server.httpPort}\\), process ${server.child.pid}`,
        ),
      )
    }, 60000)

    test('SIGKILL of the server while the CLI writes loses nothing the CLI reported done', async () => {
      const adds = Array.from({ length: 8 }, (_, i) =>
        rdds(
          'accreditation',
          'add',
          '--id',
          `k-${i}`,
          '--holder',
          'H',
          '--purposes',
          'cybersecurity',
        ),
      )
      // let the first ones through, then kill the owner while the rest are on their way
      await Promise.race([adds[0], adds[1]])
      server.child.kill('SIGKILL')
      const results = await Promise.all(adds)
      await server.exited
      const reported = results.flatMap((r, i) => (r.code === 0 ? [`k-${i}`] : []))
      expect(reported.length).toBeGreaterThan(0)
      for (const r of results.filter((r) => r.code !== 0))
        expect(r.stderr.trim().split('\n')).toHaveLength(1)
      // the owner is gone: the CLI opens the folder itself
      const list = await rdds('accreditation', 'list', '--json')
      expect(list.code).toBe(0)
      const ids = (JSON.parse(list.stdout) as Array<{ id: string }>).map((a) => a.id)
      for (const id of reported) expect(ids).toContain(id)
      const audit = JSON.parse((await rdds('audit', 'list', '--json')).stdout)
      expect(audit.length).toBeGreaterThanOrEqual(3)
      server = await startServerProcess(env) // for afterAll, and to show the folder opens again
      const owner = JSON.parse(await readFile(join(env.PGLITE_DIR!, 'rdds-owner.json'), 'utf8'))
      expect(owner).toMatchObject({ pid: server.child.pid, role: 'server' })
    }, 90000)
  }

  if (lane === 'postgres')
    test('two servers on one PostgreSQL under authorized load keep one whole chain', async () => {
      const second = await startServerProcess(env)
      try {
        const ask = (base: string) =>
          fetch(`${base}/rdap/domain/privacy.example`, {
            headers: { authorization: `Bearer ${token}` },
          }).then((r) => r.status)
        const statuses = await Promise.all(
          Array.from({ length: 200 }, (_, i) => ask(i % 2 ? server.base : second.base)),
        )
        expect(statuses.every((s) => s === 200)).toBe(true)
      } finally {
        await second.stop()
      }
      const verify = await rdds('audit', 'verify', '--json')
      expect(verify.code).toBe(0)
      const result = JSON.parse(verify.stdout) as { rows: number; problems: string[] }
      expect(result.problems).toEqual([]) // the chain links, and ids run without a gap
      expect(result.rows).toBeGreaterThanOrEqual(200)
    }, 90000)

  if (lane === 'in memory')
    test('with no server, the CLI says the in-memory database lives in the server', async () => {
      const alone = await isolatedEnv()
      const run = await runCli(alone, 'audit', 'list')
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/^rdds: no server is running on the in-memory database/)
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
    }, 60000)
})
