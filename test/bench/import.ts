// By hand: `npx tsx test/bench/import.ts`. The 1,000,000-domain registry of `npm run bench` (schema
// bench_big) exported as a FULL deposit, then imported over itself while the server answers random
// lookups and a registry operator pushes a change every few seconds. Prints the import's time and
// peak memory, the lookups before and during it, and how soon each pushed change was visible.
import { execFile, spawn } from 'node:child_process'
import { existsSync, openSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createLogger } from '../../src/log.js'
import { openDatabases } from '../../src/storage/db.js'
import { mergeHistograms, parseHistogram, percentile, type Histogram } from './latency.js'

const run = promisify(execFile)
const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'
const DEPOSIT = process.env.BENCH_DEPOSIT ?? join(tmpdir(), 'rdds-bench-1m.xml.gz')
const PORT = 18480
const say = (s: string) => process.stdout.write(`${s}\n`)

const schemaUrl = (schema: string) => {
  const u = new URL(BASE_URL)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.href
}
const DB = schemaUrl('bench_big')

/** runs `rdds …` under /usr/bin/time -v: wall time and peak RSS */
async function timedCli(
  args: string[],
  url = DB,
): Promise<{ seconds: number; rssMb: number; out: string }> {
  const started = performance.now()
  const { stdout, stderr } = await run(
    '/usr/bin/time',
    ['-v', process.execPath, 'bin/rdds.js', ...args],
    { env: { ...process.env, DATABASE_URL: url }, maxBuffer: 64 << 20 },
  )
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0)
  return { seconds: (performance.now() - started) / 1000, rssMb: rss / 1024, out: stdout }
}

interface Round {
  requests: number
  seconds: number
  errors: number
  latency: Histogram
}

async function wrk(seconds: number, names: string): Promise<Round> {
  const { stdout } = await run(
    'wrk',
    [
      '-t2',
      '-c32',
      `-d${seconds}s`,
      '--timeout',
      '5s',
      '-s',
      'test/bench/random-path.lua',
      `http://127.0.0.1:${PORT}`,
      '--',
      names,
      '/rdap/domain/',
    ],
    { maxBuffer: 64 << 20 },
  )
  const json = JSON.parse(/WRK_JSON (.*)/.exec(stdout)![1]!)
  return {
    requests: json.requests,
    seconds: json.duration_us / 1e6,
    errors: json.socket_errors + json.non2xx,
    latency: parseHistogram(/WRK_HIST (.*)/.exec(stdout)![1]!),
  }
}

function summary(rounds: Round[]): string {
  const requests = rounds.reduce((a, r) => a + r.requests, 0)
  const seconds = rounds.reduce((a, r) => a + r.seconds, 0)
  const latency = mergeHistograms(rounds.map((r) => r.latency))
  const ms = (q: number) => (percentile(latency, q) / 1000).toFixed(1)
  return `${Math.round(requests / seconds)} req/s, p50 ${ms(0.5)} ms, p99 ${ms(0.99)} ms, errors ${rounds.reduce((a, r) => a + r.errors, 0)}`
}

/** a change pushed every 3 s while `going()`, each timed until a lookup shows it */
async function pushWhile(going: () => boolean, took: number[]): Promise<void> {
  for (let i = 0; going(); i++) {
    const name = `pushed-${Date.now()}-${i}.push`
    const sent = performance.now()
    const res = await fetch(`http://127.0.0.1:${PORT}/ingest/domains/${name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        roid: `DPUSH${Date.now()}${i}`,
        registrant: 'C1001-EXAMPLE',
        clID: '1001',
        crDate: new Date().toISOString(),
        exDate: '2030-01-01T00:00:00Z',
      }),
    })
    if (res.status !== 201) throw new Error(`push ${name}: ${res.status} ${await res.text()}`)
    while ((await fetch(`http://127.0.0.1:${PORT}/rdap/domain/${name}`)).status !== 200)
      await new Promise((r) => setTimeout(r, 10))
    took.push(performance.now() - sent)
    await new Promise((r) => setTimeout(r, 3000))
  }
}

function spread(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b)
  return `median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms (${ms.length} pushes)`
}

let operatorToken = ''

async function firstLoad() {
  const empty = await openDatabases(
    { DATABASE_URL: BASE_URL, DATABASE_TIMEOUT_MS: 0 },
    createLogger({ LOG_LEVEL: 'warn' }),
  )
  await empty.primary.exec('drop schema if exists bench_import cascade; create schema bench_import')
  await empty.close()
  const first = await timedCli(['import', DEPOSIT], schemaUrl('bench_import'))
  say(
    `import into an empty database: ${first.seconds.toFixed(0)} s, peak RSS ${first.rssMb.toFixed(0)} MB`,
  )
  say(`  ${first.out.trim().split('\n')[0]}`)
}

async function main() {
  const dbs = await openDatabases(
    { DATABASE_URL: DB, DATABASE_TIMEOUT_MS: 0 },
    createLogger({ LOG_LEVEL: 'warn' }),
  )
  const [{ n }] = (await dbs.primary.query<{ n: number }>(
    'select count(*)::int as n from domains',
  )) as [{ n: number }]
  if (n < 1_000_000)
    throw new Error(`bench_big holds ${n} domains: run npm run bench once to seed it`)
  const work = await mkdtemp(join(tmpdir(), 'rdds-import-bench-'))
  const names = join(work, 'names.txt')
  const sample = await dbs.primary.query<{ ldh_name: string }>(
    `select ldh_name from domains tablesample system (5) limit 100000`,
  )
  await writeFile(names, sample.map((r) => r.ldh_name).join('\n'))
  await dbs.close()

  if (!existsSync(DEPOSIT)) {
    say(`exporting ${n} domains to ${DEPOSIT}…`)
    const exported = await timedCli(['export', DEPOSIT])
    say(`export: ${exported.seconds.toFixed(0)} s, peak RSS ${exported.rssMb.toFixed(0)} MB`)
  }

  // the first load, into an empty database (BENCH_SKIP_EMPTY=1 leaves it out)
  if (!process.env.BENCH_SKIP_EMPTY) await firstLoad()

  // an operator issuer for the ingest API
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  await writeFile(
    join(work, 'jwks.json'),
    JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'op', alg: 'ES256' }] }),
  )
  await writeFile(
    join(work, 'issuers.yaml'),
    `issuers:\n  - iss: https://sync.bench.invalid\n    audience: bench\n    jwksFile: jwks.json\n    grants: [registry-operator]\n`,
  )
  operatorToken = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'op' })
    .setIssuer('https://sync.bench.invalid')
    .setAudience('registry-operator')
    .setSubject('bench-sync')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey)

  const serverLog = openSync(join(work, 'server.log'), 'w')
  say(`server log: ${join(work, 'server.log')}`)
  await run('npm', ['run', '--silent', 'build']) // as `npm start` runs it
  const server = spawn(process.execPath, ['--max-semi-space-size=16', 'dist/main.js'], {
    env: {
      ...process.env,
      DATABASE_URL: DB,
      HTTP_PORT: String(PORT),
      WHOIS_PORT: String(PORT + 1),
      ISSUERS_FILE: join(work, 'issuers.yaml'),
      ANONYMIZE_SECRET: 'bench-secret-0123456789abcdef',
      DATABASE_POOL_SIZE: '16',
      RATE_LIMIT_EXEMPT: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATA_DIR: join(work, 'data'),
    },
    stdio: ['ignore', serverLog, serverLog],
  })
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`http://127.0.0.1:${PORT}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break
      await new Promise((r) => setTimeout(r, 200))
    }
    if (server.exitCode !== null) throw new Error('the server did not start: see its log')
    await wrk(5, names) // warm-up
    let measuring = true
    const pushedBefore: number[] = []
    const pushingBefore = pushWhile(() => measuring, pushedBefore)
    const before = await wrk(15, names).finally(() => (measuring = false))
    await pushingBefore
    say(`lookups before the import: ${summary([before])}`)
    say(`  pushed changes visible after: ${spread(pushedBefore)}`)

    let importing = true
    const started = performance.now()
    const imported = timedCli(['import', DEPOSIT]).finally(() => (importing = false))
    const during: Round[] = []
    const pushes: number[] = []
    const loads = (async () => {
      while (importing) during.push(await wrk(5, names))
    })()
    const pushing = pushWhile(() => importing, pushes)
    const result = await imported
    await Promise.all([loads, pushing])
    say(
      `import: ${result.seconds.toFixed(0)} s (${((performance.now() - started) / 1000).toFixed(0)} s with the last load round), peak RSS ${result.rssMb.toFixed(0)} MB`,
    )
    say(`  ${result.out.trim().split('\n')[0]}`)
    say(`lookups during the import: ${summary(during)} (${during.length} rounds of 5 s)`)
    for (const [i, r] of during.entries()) say(`  round ${i + 1}: ${summary([r])}`)
    say(`pushed changes visible after: ${spread(pushes)}`)
    const status = await readFile(`/proc/${server.pid}/status`, 'utf8')
    say(`server peak RSS: ${(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024).toFixed(0)} MB`)
  } finally {
    server.kill('SIGTERM')
  }
}

await main()
