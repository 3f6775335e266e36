import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.js'
import {
  isolatedEnv,
  runCli,
  runCliWithInput,
  startServerProcess,
  type ServerProcess,
} from '../helpers/processes.js'

// `rdds import` and `rdds export` as an operator runs them, beside a running server: through the
// server that owns the embedded database, or straight to PostgreSQL. The server answers from the
// imported data at once; a broken deposit is named by file, line and column and changes nothing.

const FIXTURES = new URL('../fixtures/deposits/', import.meta.url)
const lane = ENGINE === 'pg' ? 'postgres' : 'the embedded database, through its server'

describe(`rdds import and export (${lane})`, () => {
  let env: Record<string, string>
  let server: ServerProcess
  let db: TestDb | undefined
  let dir: string
  const rdds = (...args: string[]) => runCli(env, ...args)
  const status = (path: string) => fetch(`${server.base}${path}`).then((r) => r.status)

  beforeAll(async () => {
    env = await isolatedEnv()
    dir = await mkdtemp(join(tmpdir(), 'rdds-deposits-'))
    if (ENGINE === 'pg') {
      db = await openTestDb({ seed: false })
      const url = new URL(process.env.DATABASE_URL!)
      url.searchParams.set('options', `-c search_path=${db.schema}`)
      Object.assign(env, { DATABASE_URL: url.href, DEMO: 'true' })
    }
    server = await startServerProcess(env)
  }, 60000)
  afterAll(async () => {
    await server?.stop()
    await db?.close()
  })

  test('a FULL deposit replaces the demo, and the running server answers from it', async () => {
    expect(await status('/rdap/domain/privacy.example')).toBe(200)
    const run = await rdds('import', new URL('full.xml', FIXTURES).pathname)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^imported FULL deposit 20261201001 \(\.tw \.xn--kpry57d\) in [\d.]+ s: 2 registrar, 4 contact, 2 host, 3 domain, 1 idnTable, 1 nndn\n/,
    )
    expect(run.stdout).toContain('the demo registry it replaced is gone')
    expect(run.stdout).toContain(
      'ignored extensions: rgp:rgpStatus (1), rdeEppParams:eppParams (1), rdePolicy:policy (1)',
    )
    expect(await status('/rdap/domain/tea-house.tw')).toBe(200)
    expect(await status(`/rdap/domain/${encodeURIComponent('商店.台灣')}`)).toBe(200)
    expect(await status('/rdap/domain/privacy.example')).toBe(404)
  }, 60000)

  test('a broken deposit: FILE:line:col and the reason, exit 1, nothing changed', async () => {
    const file = join(dir, 'broken.xml')
    const full = await readFile(new URL('full.xml', FIXTURES), 'utf8')
    await writeFile(
      file,
      full
        .replace(
          '<rdeDomain:roid>D300-TW</rdeDomain:roid>',
          '<rdeDomain:roid>D300-TW</rdeDomain:roid>\n<rdeDomain:owner/>',
        )
        .replace(
          '<rdeDomain:name>company.tw</rdeDomain:name>',
          '<rdeDomain:name>gone.tw</rdeDomain:name>',
        ),
    )
    const run = await rdds('import', file)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(
      new RegExp(
        `^rdds: ${file.replace(/[.]/g, '\\.')}:\\d+:\\d+ unexpected element <owner> in <domain>\\n$`,
      ),
    )
    expect(await status('/rdap/domain/company.tw')).toBe(200)
  }, 60000)

  test('a gzipped DIFF on standard input applies', async () => {
    const diff = gzipSync(await readFile(new URL('diff.xml', FIXTURES)))
    const run = await runCliWithInput(env, diff, 'import', '-')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^imported DIFF deposit 20261202001/)
    expect(run.stdout).toContain('deleted: 1 contact, 1 domain')
    expect(await status('/rdap/domain/new.tw')).toBe(200)
    expect(await status('/rdap/domain/company.tw')).toBe(404)
  }, 60000)

  test('export writes a deposit that a fresh database imports to the same counts', async () => {
    const file = join(dir, 'registry.xml.gz')
    const exported = await rdds('export', file)
    expect(exported.code).toBe(0)
    expect(exported.stdout).toMatch(
      /: 3 domain, 2 host, 3 contact, 2 registrar, 1 idnTable, 1 nndn\n$/,
    )
    const fresh = await isolatedEnv()
    fresh.PGLITE_DIR = join(fresh.DATA_DIR!, '..', 'db')
    const imported = await runCli(fresh, 'import', file)
    expect(imported.code).toBe(0)
    expect(imported.stdout).toMatch(
      /: 2 registrar, 3 contact, 2 host, 3 domain, 1 idnTable, 1 nndn\n/,
    )
  }, 60000)

  test('a registry-operator token from rdds token writes through the ingest API', async () => {
    const issued = await rdds('token', '--audience', 'registry-operator')
    expect(issued.code).toBe(0)
    const token = issued.stdout.trim().split('\n').at(-1)!
    const res = await fetch(`${server.base}/ingest/domains/pushed.tw`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'pushed.tw',
        roid: 'D500-TW',
        registrant: 'lin-001',
        clID: 'hinet',
        crDate: '2026-12-05T00:00:00Z',
        exDate: '2027-12-05T00:00:00Z',
      }),
    })
    expect(res.status).toBe(201)
    expect(await status('/rdap/domain/pushed.tw')).toBe(200)
  }, 60000)
})
