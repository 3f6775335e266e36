import { spawn } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, test } from '@jest/globals'
import { loadConfig } from '../../src/config.js'
import { StartupError } from '../../src/errors.js'
import { openDatabases } from '../../src/storage/db.js'
import { migrate } from '../../src/storage/migrate.js'
import { ENGINE, openTestDb, silentLog } from '../helpers/db.js'

interface Run {
  dataDir: string
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

let runs = 0

/** runs the real server process with `env`; `stopWhen` sends SIGTERM once stdout matches it */
function runServer(
  env: Record<string, string>,
  stopWhen?: RegExp,
  timeoutMs = 20000,
): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now()
    const dataDir = join(tmpdir(), `rdds-test-data-${process.pid}-${++runs}`)
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HTTP_PORT: '0',
        WHOIS_PORT: '0',
        CONTACT_SMTP_PORT: '0',
        LOG_LEVEL: 'info',
        DATA_DIR: dataDir,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.on('data', (c) => {
      stdout += c
      if (stopWhen?.test(stdout)) child.kill('SIGTERM')
    })
    child.stderr.on('data', (c) => (stderr += c))
    child.on('exit', (code) => {
      clearTimeout(killer)
      resolve({ dataDir, code, stdout, stderr, ms: Date.now() - started })
    })
  })
}

describe('start-up', () => {
  test('when DATABASE_URL is malformed, then one clear line naming it and exit 1', async () => {
    const run = await runServer({ DATABASE_URL: 'not a url' })
    expect(run.code).toBe(1)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(/DATABASE_URL/)
  })

  test('when a setting is out of range, then it is named', async () => {
    const run = await runServer({ HTTP_PORT: '99999' })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/HTTP_PORT/)
  })

  test('when the database is unreachable, then a clear message and exit 1, without hanging', async () => {
    const run = await runServer({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:9/none' })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/cannot reach the database at 127\.0\.0\.1:9\/none/)
    expect(run.ms).toBeLessThan(15000)
  })

  test('when the policy does not load, then its problems and exit 1, serving nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rdds-pol-'))
    await writeFile(
      join(dir, 'broken.yaml'),
      'version: 1\nname: broken\naudiences: [public]\nfields:\n  registrant.nmae: { show: everyone }\n',
    )
    const run = await runServer({ POLICY: 'broken', POLICIES_DIR: dir })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      'broken.yaml:5:3 fields.registrant.nmae: not a field of the catalogue',
    )
    expect(run.stdout).not.toMatch(/listening/)
  })

  test('on the embedded default it starts with no setup and stops cleanly on SIGTERM', async () => {
    const run = await runServer({}, /tiered-rdds listening/)
    expect(run.stdout).toMatch(/demo registry loaded/)
    expect(run.stdout).toMatch(/"msg":"stopping"/)
    // the audit log's head is checkpointed as the server stops, in the log and in DATA_DIR
    const line = run.stdout.split('\n').find((l) => l.includes('"msg":"audit checkpoint"'))
    expect(JSON.parse(line!).auditCheckpoint).toMatchObject({ rows: 0, lastId: 0 })
    const saved = await readFile(join(run.dataDir, 'audit-checkpoints.jsonl'), 'utf8')
    expect(JSON.parse(saved.trim().split('\n').at(-1)!)).toEqual(JSON.parse(line!).auditCheckpoint)
    expect(run.code).toBe(0)
  }, 30000)

  test('when a port is in use, then one line naming it and the variable to change, exit 1', async () => {
    const taken = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => taken.once('listening', resolve))
    const port = (taken.address() as AddressInfo).port
    try {
      for (const variable of ['HTTP_PORT', 'WHOIS_PORT', 'CONTACT_SMTP_PORT']) {
        const run = await runServer({ [variable]: String(port) })
        expect(run.code).toBe(1)
        expect(run.stderr).toBe(
          `tiered-rdds: 127.0.0.1:${port} is in use by another program; set ${variable} (or HOST) to another\n`,
        )
      }
    } finally {
      taken.close()
    }
  }, 30000)

  test('loadConfig applies the defaults', () => {
    expect(loadConfig({})).toMatchObject({
      HOST: '127.0.0.1',
      HTTP_PORT: 8080,
      WHOIS_PORT: 4343,
      POLICY: 'calzone',
      LOG_LEVEL: 'info',
    })
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgresql://x/y' })).toThrow(
      /DATABASE_READ_URL: needs DATABASE_URL/,
    )
    expect(() => loadConfig({ POLICY: '../etc/passwd' })).toThrow(/POLICY/)
  })
})

describe('migrations', () => {
  ;(ENGINE === 'pg' ? test : test.skip)(
    'when DATABASE_URL selects a schema that does not exist, then startup says so in one line',
    async () => {
      const url = new URL(process.env.DATABASE_URL!)
      url.searchParams.set('options', '-c search_path=no_such_schema_here')
      const opening = openDatabases({ DATABASE_URL: url.href }, silentLog)
      await expect(opening).rejects.toBeInstanceOf(StartupError)
      await expect(opening).rejects.toThrow(
        /^cannot record migrations: no schema has been selected/,
      )
    },
  )

  test('when a migration fails, then it names the file, and nothing of it is recorded or left behind', async () => {
    const db = await openTestDb({ seed: false })
    try {
      const dir = await mkdtemp(join(tmpdir(), 'rdds-sql-'))
      await writeFile(join(dir, '900_ok.sql'), 'create table ok_table (id int);')
      await writeFile(
        join(dir, '901_broken.sql'),
        'create table half_table (id int);\ncreate tabel oops;',
      )
      await expect(migrate(db.primary, silentLog, pathToFileURL(`${dir}/`))).rejects.toThrow(
        /migration 901_broken\.sql failed/,
      )
      const names = (
        await db.primary.query<{ name: string }>('select name from schema_migrations')
      ).map((r) => r.name)
      expect(names).toContain('900_ok.sql')
      expect(names).not.toContain('901_broken.sql')
      const left = await db.primary.query(
        `select 1 from information_schema.tables where table_name = 'half_table'`,
      )
      expect(left).toEqual([])
    } finally {
      await db.close()
    }
  })
})
