// npm run bench: the server measured as operators would see it, against a ceiling measured in the
// same run. Needs DATABASE_URL (a PostgreSQL server), wrk and a C compiler. Not run by jest.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createLogger } from '../../src/log.js'
import { openDatabases, type Databases } from '../../src/storage/db.js'
import { seedSynthetic } from '../../src/demo/synthetic.js'
import { limitCheckCost } from './limit-cost.js'
import { mergeHistograms, parseHistogram, percentile, type Histogram } from './latency.js'

const run = promisify(execFile)
// /proc counts CPU time in clock ticks
const CLOCK_TICKS =
  Number((await run('getconf', ['CLK_TCK']).catch(() => ({ stdout: '' }))).stdout.trim()) || 100
const BIG = Number(process.env.BENCH_DOMAINS ?? 1_000_000)
const SMALL = 10_000
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20)
// each case's seconds are split into rounds that take turns with the ceiling's: this machine's speed
// drifts by tens of percent within minutes, and a ratio should compare like with like
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4)
const ROUND_SECONDS = Math.max(1, Math.round(SECONDS / ROUNDS)) // wrk takes whole seconds
const WARMUP = 5
const SOAK = Number(process.env.BENCH_SOAK_SECONDS ?? 60)
const ZIPF_WARMUP = Number(process.env.BENCH_ZIPF_WARMUP_SECONDS ?? 120)
// two processes each see half the load, and measured 1.00 of one in the first round after the
// common warm-up, rising to 1.22 by the fourth (AL1): the scale-out servers warm up longer
const SCALE_OUT_WARMUP = Number(process.env.BENCH_SCALE_OUT_WARMUP_SECONDS ?? 30)
const CONNECTIONS = 32
const ISS = 'https://bench-issuer.invalid'
const AUD = 'tiered-rdds-bench'

interface Case {
  name: string
  rps: number
  p50_ms: number
  p99_ms: number
  /** the highest of the rounds' own p99: how far one round strays from the case's */
  p99_worst_round_ms?: number
  peak_rss_mb: number
  /** CPU the server process used per request, and PostgreSQL's */
  cpu_us: number
  postgres_cpu_us: number
  ratio?: number
  errors: number
  /** the share of lookups the answer cache answered (the cached case) */
  cache_hit_rate?: number
}

const log = createLogger({ LOG_LEVEL: 'warn' })
const say = (s: string) => process.stdout.write(`${s}\n`)

function schemaUrl(url: string, schema: string): string {
  const u = new URL(url)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.href
}

async function ensureRegistry(url: string, schema: string, n: number): Promise<Databases> {
  // seeding and vacuuming a million domains takes longer than any query of the server may
  const dbs = await openDatabases({ DATABASE_URL: url, DATABASE_TIMEOUT_MS: 0 }, log, { schema })
  const [row] = await dbs.primary.query<{ n: number }>(
    "select count(*)::int as n from domains where roid like 'D1______-EXAMPLE'",
  )
  if ((row?.n ?? 0) < n) {
    say(`seeding ${n} domains into schema ${schema} (once; later runs reuse it)…`)
    const started = Date.now()
    await seedSynthetic(dbs.primary, n, (done, total) => {
      if (done % 100000 === 0 || done === total)
        say(`  ${done}/${total} (${((Date.now() - started) / 1000).toFixed(0)} s)`)
    })
    // a fresh table's first readers would set its hint bits and write its pages back, and the
    // seed's own writes would still be checkpointing: both would be measured as the server's time
    await dbs.primary.exec('vacuum analyze')
    await dbs.primary
      .exec('checkpoint')
      .catch(() => say('  (CHECKPOINT needs pg_checkpoint: the first run may measure the flush)'))
  }
  return dbs
}

function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const onData = (c: Buffer) => {
      out += c
      if (ready.test(out)) {
        child.stdout!.off('data', onData)
        resolve(child)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (c) => (out += c))
    child.on('exit', (code) =>
      reject(new Error(`process exited (${code}) before it was ready:\n${out}`)),
    )
  })
}

async function startServer(
  url: string,
  issuersFile: string,
  port: number,
  extra: Record<string, string> = {},
): Promise<ChildProcess> {
  // as `npm start` runs it (built once by main below), with the load generator's one address
  // allowed many WHOIS connections
  return startProcess(
    ['--max-semi-space-size=16', 'dist/main.js'],
    {
      DATABASE_URL: url,
      HTTP_PORT: String(port),
      WHOIS_PORT: String(port + 1),
      ISSUERS_FILE: issuersFile,
      LOG_LEVEL: 'info',
      POLICY: 'calzone',
      ANONYMIZE_SECRET: 'bench-secret-0123456789abcdef',
      DATABASE_POOL_SIZE: '16',
      WHOIS_MAX_CONNECTIONS_PER_IP: '4096',
      WHOIS_MAX_CONNECTIONS: '4096',
      WHOIS_MAX_CONNECTIONS_PER_NETWORK: '4096',
      // the limits stay on at their defaults; the bench's own clients, on loopback, are exempt
      RATE_LIMIT_EXEMPT: '127.0.0.1',
      ...extra,
    },
    /tiered-rdds listening/,
  ).then((child) => {
    child.stdout!.resume()
    return child
  })
}

/** SIGTERM, then wait until the process has gone (and its ports are free) */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** CPU seconds (user and system) a process has used so far, from /proc (Linux) */
async function cpuSeconds(pid: number | string): Promise<{ comm: string; seconds: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  const close = stat.lastIndexOf(')')
  const fields = stat.slice(close + 2).split(' ') // fields from the 3rd on: state, ppid, …
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0) // utime, stime
  return { comm: stat.slice(stat.indexOf('(') + 1, close), seconds: ticks / CLOCK_TICKS }
}

/** CPU seconds used so far by each PostgreSQL process on this machine, by pid */
async function postgresCpu(): Promise<Map<string, number>> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d))
  const all = await Promise.all(pids.map(async (pid) => [pid, await cpuSeconds(pid)] as const))
  return new Map(all.filter(([, p]) => p.comm === 'postgres').map(([pid, p]) => [pid, p.seconds]))
}

/** CPU PostgreSQL used between two readings, process by process (a pool closes idle connections) */
function postgresCpuBetween(before: Map<string, number>, after: Map<string, number>): number {
  let seconds = 0
  for (const [pid, used] of after) seconds += used - (before.get(pid) ?? 0)
  return seconds
}

/** a process and its children (the workers of a `WORKERS=2` primary), by pid */
async function family(pid: number): Promise<string[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')
  return [String(pid), ...children.split(' ').filter(Boolean)]
}

/**
 * Runs `work` while watching `pid` and its children: the RSS of the largest of them every 250 ms
 * (peak and samples), and the CPU they and PostgreSQL used meanwhile. CPU per request moves less
 * than throughput when the machine's speed drifts, so it shows what a change to the code costs.
 */
async function observe<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peak: number; samples: number[]; cpu: number; postgresCpu: number }> {
  const pids = await family(pid)
  const samples: number[] = []
  const rssMb = async (p: string) => {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '')
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
  }
  const sample = async () => {
    const mb = Math.max(...(await Promise.all(pids.map(rssMb))))
    if (mb) samples.push(mb)
  }
  const cpu = async () => {
    const used = await Promise.all(pids.map(cpuSeconds))
    return used.reduce((sum, p) => sum + p.seconds, 0)
  }
  await sample()
  const [cpu0, pg0] = [await cpu(), await postgresCpu()]
  const timer = setInterval(() => void sample(), 250)
  try {
    const result = await work()
    const [cpu1, pg1] = [await cpu(), await postgresCpu()]
    await sample()
    return {
      result,
      peak: Math.max(...samples),
      samples,
      cpu: cpu1 - cpu0,
      postgresCpu: postgresCpuBetween(pg0, pg1),
    }
  } finally {
    clearInterval(timer)
  }
}

async function wrk(
  url: string,
  seconds: number,
  namesFile: string,
  prefix: string,
  token = '',
  pick: 'uniform' | 'zipf' = 'uniform',
): Promise<LoadResult> {
  const { stdout } = await run(
    'wrk',
    [
      '-t2',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--timeout',
      '5s',
      '-s',
      'test/bench/random-path.lua',
      url,
      '--',
      namesFile,
      prefix,
      token,
      pick,
    ],
    { maxBuffer: 64 << 20 },
  )
  const json = JSON.parse(/WRK_JSON (.*)/.exec(stdout)![1]!)
  return {
    requests: json.requests,
    rps: json.requests / (json.duration_us / 1e6),
    latency: parseHistogram(/WRK_HIST (.*)/.exec(stdout)![1]!),
    errors: json.socket_errors + json.non2xx,
  }
}

interface LoadResult {
  requests: number
  rps: number
  /** microseconds → requests */
  latency: Histogram
  errors: number
}

const ms = (latency: Histogram, q: number) => round(percentile(latency, q) / 1000)
type Load = (seconds: number) => Promise<LoadResult>

interface Contender {
  name: string
  pid: number
  load: Load
  expectErrors?: boolean
}

/**
 * Warms every contender up, then runs ROUNDS rounds in which each takes its turn for
 * ROUND_SECONDS seconds. Throughput is over all rounds, and so are the percentiles (the rounds'
 * histograms merged); peak RSS is the highest seen.
 */
async function measureInTurns(contenders: Contender[]): Promise<Case[]> {
  for (const c of contenders) await c.load(WARMUP)
  const runs = new Map<
    string,
    (LoadResult & { peak: number; cpu: number; postgresCpu: number })[]
  >()
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of contenders) {
      const { result, peak, cpu, postgresCpu } = await observe(c.pid, () => c.load(ROUND_SECONDS))
      runs.set(c.name, [...(runs.get(c.name) ?? []), { ...result, peak, cpu, postgresCpu }])
    }
    say(
      `  round ${round}/${ROUNDS}: ${contenders.map((c) => `${c.name} ${Math.round(runs.get(c.name)!.at(-1)!.rps)}`).join(', ')}`,
    )
  }
  return contenders.map((c) => {
    const rs = runs.get(c.name)!
    const mean = (f: (r: (typeof rs)[number]) => number) =>
      rs.reduce((a, r) => a + f(r), 0) / rs.length
    const latency = mergeHistograms(rs.map((r) => r.latency))
    const perRequest = (f: (r: (typeof rs)[number]) => number) =>
      Math.round((mean(f) * 1e6) / mean((r) => r.requests))
    return {
      name: c.name,
      rps: Math.round(mean((r) => r.rps)),
      p50_ms: ms(latency, 0.5),
      p99_ms: ms(latency, 0.99),
      p99_worst_round_ms: Math.max(...rs.map((r) => ms(r.latency, 0.99))),
      peak_rss_mb: Math.round(Math.max(...rs.map((r) => r.peak))),
      cpu_us: perRequest((r) => r.cpu),
      postgres_cpu_us: perRequest((r) => r.postgresCpu),
      errors: c.expectErrors ? 0 : rs.reduce((a, r) => a + r.errors, 0),
    }
  })
}

const round = (x: number) => Math.round(x * 100) / 100

/** builds the WHOIS load generator (whois-load.c) into `dir`; its path */
async function buildWhoisLoad(dir: string): Promise<string> {
  const binary = join(dir, 'whois-load')
  await run('cc', ['-O2', '-o', binary, 'test/bench/whois-load.c']).catch((err: Error) => {
    throw new Error(
      `the WHOIS load generator did not build (a C compiler is needed: apt-get install gcc)\n${err.message}`,
    )
  })
  return binary
}

async function whoisLoad(
  generator: string,
  port: number,
  namesFile: string,
  seconds: number,
): Promise<LoadResult> {
  const { stdout } = await run(
    generator,
    ['127.0.0.1', String(port), namesFile, String(seconds), String(CONNECTIONS)],
    { maxBuffer: 64 << 20 },
  )
  const [summary = '', histogram = ''] = stdout.split('\n')
  const r = JSON.parse(summary)
  return {
    requests: r.requests,
    rps: r.requests / r.seconds,
    latency: parseHistogram(histogram),
    errors: r.errors,
  }
}

/** one port-43 query, answered in full */
function whoisQuery(port: number, query: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`${query}\r\n`))
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('end', () => resolve(text))
    socket.on('error', reject)
  })
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL
  if (!url) {
    say(
      'npm run bench needs a PostgreSQL server: set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test). Skipped.',
    )
    return
  }
  await run('wrk', ['--version']).catch((err: { stdout?: string }) => {
    if (!String(err.stdout ?? '').includes('wrk'))
      throw new Error('wrk is not installed (apt-get install wrk)')
  })
  const work = await mkdtemp(join(tmpdir(), 'rdds-bench-'))
  const whoisGenerator = await buildWhoisLoad(work)
  await run('npm', ['run', '--silent', 'build']) // the server runs as `npm start` runs it: built
  const big = await ensureRegistry(url, 'bench_big', BIG)
  const small = await ensureRegistry(url, 'bench_small', SMALL)

  // a trusted issuer and an accreditation for the authorized case
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  await writeFile(
    join(work, 'jwks.json'),
    JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'b1', alg: 'ES256' }] }),
  )
  await writeFile(
    join(work, 'issuers.yaml'),
    `issuers:\n  - iss: ${ISS}\n    audience: ${AUD}\n    jwksFile: jwks.json\n    algorithms: [ES256]\n    maxTokenAge: 3h\n    grants: [accredited:law-enforcement]\n`,
  )
  for (const dbs of [big, small]) {
    await dbs.primary.query(
      `insert into accreditations (id, holder, issuer, purposes) values ('bench', 'Bench Police', $1, '{law-enforcement}') on conflict (id) do nothing`,
      [ISS],
    )
  }
  const token = await new SignJWT({
    rdap_allowed_purposes: ['law-enforcement'],
    accreditation_id: 'bench',
  })
    .setProtectedHeader({ alg: 'ES256', kid: 'b1' })
    .setIssuer(ISS)
    .setAudience(AUD)
    .setSubject('bench-analyst')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey)

  const sampleNames = async (dbs: Databases, file: string) => {
    const rows = await dbs.reader.query<{ ldh_name: string }>(
      'select ldh_name from domains tablesample system (20) repeatable (7) limit 100000',
    )
    await writeFile(file, rows.map((r) => r.ldh_name).join('\n') + '\n')
    return rows.length
  }
  const bigNames = join(work, 'big.txt')
  const smallNames = join(work, 'small.txt')
  const missing = join(work, 'missing.txt')
  say(
    `names: ${await sampleNames(big, bigNames)} sampled of ${BIG}, ${await sampleNames(small, smallNames)} of ${SMALL}`,
  )
  await writeFile(
    missing,
    Array.from(
      { length: 10000 },
      (_, i) => `no-such-name-${i}-${Math.random().toString(36).slice(2, 8)}.example`,
    ).join('\n') + '\n',
  )
  await writeFile(join(work, 'idn.txt'), 'xn--bcher-kva.example\n')
  // searches: prefixes of names (4 to 10 characters, so pages are full), and the name servers
  // domains use, drawn as often as domains use them (a few providers serve tens of thousands)
  const names = (await readFile(bigNames, 'utf8')).trim().split('\n')
  const prefixes = Array.from({ length: 300 }, (_, i) => {
    const name = names[(i * 7919) % names.length]!
    return name.slice(0, 4 + (i % 7))
  })
  const servers = await big.reader.query<{ ns: string }>(
    'select nameservers[1] as ns from domains tablesample system (1) repeatable (11) limit 500',
  )
  await writeFile(
    join(work, 'nameservers.txt'),
    servers.map((r) => `domains?nsLdhName=${r.ns}`).join('\n') + '\n',
  )
  // Zipf (exponent 1) over the whole registry, popularity in a random order of the names: a mix
  // where popular names repeat, as real lookups do; wrk draws each request afresh
  const zipf = join(work, 'zipf.txt')
  const all = await big.reader.query<{ ldh_name: string }>(
    'select ldh_name from domains order by md5(ldh_name) limit $1',
    [BIG],
  )
  await writeFile(zipf, all.map((r) => r.ldh_name).join('\n') + '\n')
  await big.close()
  await small.close()

  const cases: Case[] = []
  const port = 18500 + Math.floor(Math.random() * 100) * 20
  const server = await startServer(schemaUrl(url, 'bench_big'), join(work, 'issuers.yaml'), port)
  const base = `http://127.0.0.1:${port}`
  const helpers: ChildProcess[] = []
  try {
    // the canned responses for the ceilings: real public answers, same size
    const canned = await (await fetch(`${base}/rdap/domain/privacy.example`)).text()
    await writeFile(join(work, 'canned.json'), canned)
    await writeFile(join(work, 'canned.txt'), await whoisQuery(port + 1, 'privacy.example'))
    const helper = async (script: string, args: string[], ready: RegExp) => {
      const child = await startProcess(
        ['--import', 'tsx', `test/bench/${script}`, ...args],
        {},
        ready,
      )
      helpers.push(child)
      return child.pid!
    }
    const ceilingPid = await helper(
      'ceiling.ts',
      [join(work, 'canned.json'), String(port + 2)],
      /ceiling listening/,
    )
    const keptCeilingPid = await helper(
      'ceiling.ts',
      [join(work, 'canned.json'), String(port + 5), 'prototypes'],
      /ceiling listening/,
    )
    const referencePid = await helper(
      'reference.ts',
      [schemaUrl(url, 'bench_big'), String(port + 3)],
      /reference listening/,
    )
    const whoisCeilingPid = await helper(
      'whois-ceiling.ts',
      [join(work, 'canned.txt'), String(port + 4)],
      /whois ceiling listening/,
    )
    say(
      `measuring (${CONNECTIONS} connections, ${WARMUP} s warm-up, ${ROUND_SECONDS * ROUNDS} s per case in ${ROUNDS} rounds taken in turns, response ${canned.length} bytes):`,
    )
    const pid = server.pid!
    // half first pages, half second pages opened with the first page's cursor
    const searches: string[] = []
    const firstPages: string[] = []
    for (const prefix of prefixes) {
      const first = `domains?name=${prefix}*`
      const text = await (await fetch(`${base}/rdap/${first}`)).text()
      firstPages.push(text)
      const page = JSON.parse(text) as { paging_metadata?: { links?: { href: string }[] } }
      const next = page.paging_metadata?.links?.[0]?.href
      searches.push(
        first,
        next ? `${first}&cursor=${new URL(next).searchParams.get('cursor')}` : first,
      )
    }
    await writeFile(join(work, 'prefixes.txt'), searches.join('\n') + '\n')
    // the same-size yardstick of a search: the canned app answering a real first page, the one of
    // median size (pages differ: a legal person's contacts withhold less than a natural person's)
    firstPages.sort((a, b) => a.length - b.length)
    await writeFile(join(work, 'canned-search.json'), firstPages[firstPages.length >> 1]!)
    const searchCeilingPid = await helper(
      'ceiling.ts',
      [join(work, 'canned-search.json'), String(port + 6)],
      /ceiling listening/,
    )
    cases.push(
      ...(await measureInTurns([
        {
          name: 'ceiling',
          pid: ceilingPid,
          load: (s) => wrk(`http://127.0.0.1:${port + 2}`, s, bigNames, '/rdap/domain/'),
        },
        {
          name: 'ceiling-prototypes-kept',
          pid: keptCeilingPid,
          load: (s) => wrk(`http://127.0.0.1:${port + 5}`, s, bigNames, '/rdap/domain/'),
        },
        {
          name: 'reference-one-select',
          pid: referencePid,
          load: (s) => wrk(`http://127.0.0.1:${port + 3}`, s, bigNames, '/rdap/domain/'),
        },
        { name: 'rdap-anonymous', pid, load: (s) => wrk(base, s, bigNames, '/rdap/domain/') },
        {
          name: 'rdap-not-found',
          pid,
          load: (s) => wrk(base, s, missing, '/rdap/domain/'),
          expectErrors: true,
        },
        {
          name: 'rdap-authorized',
          pid,
          load: (s) => wrk(base, s, bigNames, '/rdap/domain/', token),
        },
        {
          name: 'whois-ceiling',
          pid: whoisCeilingPid,
          load: (s) => whoisLoad(whoisGenerator, port + 4, bigNames, s),
        },
        { name: 'whois', pid, load: (s) => whoisLoad(whoisGenerator, port + 1, bigNames, s) },
        {
          name: 'ceiling-search-page',
          pid: searchCeilingPid,
          load: (s) => wrk(`http://127.0.0.1:${port + 6}`, s, bigNames, '/rdap/domain/'),
        },
        {
          name: 'search-prefix',
          pid,
          load: (s) => wrk(base, s, join(work, 'prefixes.txt'), '/rdap/'),
        },
        {
          name: 'search-nameserver',
          pid,
          load: (s) => wrk(base, s, join(work, 'nameservers.txt'), '/rdap/'),
        },
      ])),
    )
    // no growth: RSS after a long anonymous run against RSS at its start
    const soak = await observe(server.pid!, () => wrk(base, SOAK, bigNames, '/rdap/domain/'))
    const first = soak.samples.slice(0, 8)
    const last = soak.samples.slice(-8)
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    cases.push({
      name: `rdap-anonymous-soak-${SOAK}s`,
      rps: Math.round(soak.result.rps),
      p50_ms: ms(soak.result.latency, 0.5),
      p99_ms: ms(soak.result.latency, 0.99),
      peak_rss_mb: Math.round(soak.peak),
      cpu_us: Math.round((soak.cpu * 1e6) / soak.result.requests),
      postgres_cpu_us: Math.round((soak.postgresCpu * 1e6) / soak.result.requests),
      errors: soak.result.errors,
    })
    say(
      `  soak ${SOAK}s: RSS ${avg(first).toFixed(0)} MB in its first 2 s, ${avg(last).toFixed(0)} MB in its last 2 s, peak ${soak.peak.toFixed(0)} MB`,
    )
  } finally {
    for (const child of helpers) child.kill()
    await stop(server)
  }
  // 1M against 10k: two servers side by side, measured in turns like the rest
  const smallPort = port + 10
  const bigServer = await startServer(schemaUrl(url, 'bench_big'), join(work, 'issuers.yaml'), port)
  const smallServer = await startServer(
    schemaUrl(url, 'bench_small'),
    join(work, 'issuers.yaml'),
    smallPort,
  )
  try {
    const scale = await measureInTurns([
      {
        name: `rdap-anonymous-${BIG / 1e6}M`,
        pid: bigServer.pid!,
        load: (s) => wrk(`http://127.0.0.1:${port}`, s, bigNames, '/rdap/domain/'),
      },
      {
        name: `rdap-anonymous-${SMALL / 1000}k`,
        pid: smallServer.pid!,
        load: (s) => wrk(`http://127.0.0.1:${smallPort}`, s, smallNames, '/rdap/domain/'),
      },
    ])
    cases.push(...scale)
  } finally {
    await Promise.all([stop(bigServer), stop(smallServer)])
  }

  // scale-out: two processes, and the cache, against one process and the ceilings, in turns
  const workersPort = port + 20
  const cachedPort = port + 40
  const issuers = join(work, 'issuers.yaml')
  const bigUrl = schemaUrl(url, 'bench_big')
  const single = await startServer(bigUrl, issuers, port)
  const workers = await startServer(bigUrl, issuers, workersPort, { WORKERS: '2' })
  const cachedMetrics = cachedPort + 2
  const cached = await startServer(bigUrl, issuers, cachedPort, {
    CACHE_ENTRIES: '50000',
    METRICS_PORT: String(cachedMetrics),
  })
  const again: ChildProcess[] = []
  try {
    const ceilingAgain = await startProcess(
      ['--import', 'tsx', 'test/bench/ceiling.ts', join(work, 'canned.json'), String(port + 2)],
      {},
      /ceiling listening/,
    )
    const keptAgain = await startProcess(
      [
        '--import',
        'tsx',
        'test/bench/ceiling.ts',
        join(work, 'canned.json'),
        String(port + 5),
        'prototypes',
      ],
      {},
      /ceiling listening/,
    )
    again.push(ceilingAgain, keptAgain)
    say(`warming the one- and two-process servers for ${SCALE_OUT_WARMUP} s each, RDAP and WHOIS…`)
    for (const p of [port, workersPort]) {
      await wrk(`http://127.0.0.1:${p}`, SCALE_OUT_WARMUP, bigNames, '/rdap/domain/')
      await whoisLoad(whoisGenerator, p + 1, bigNames, SCALE_OUT_WARMUP)
    }
    // the cache as a server that has run a while has it: Zipf lookups until its hit rate has
    // settled (simulated, about a million lookups for 50,000 entries), then counted from there
    say(`warming the cache with Zipf lookups for ${ZIPF_WARMUP} s…`)
    await wrk(`http://127.0.0.1:${cachedPort}`, ZIPF_WARMUP, zipf, '/rdap/domain/', '', 'zipf')
    const cacheEvents = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${cachedMetrics}/metrics`)).text()
      const count = (event: string) =>
        Number(
          new RegExp(`^rdds_cache_events_total\\{event="${event}"\\} (\\d+)`, 'm').exec(
            metrics,
          )?.[1] ?? 0,
        )
      return { hits: count('hit'), misses: count('miss') }
    }
    const warm = await cacheEvents()
    const scaleOut = await measureInTurns([
      {
        name: 'ceiling-scale-out',
        pid: ceilingAgain.pid!,
        load: (s) => wrk(`http://127.0.0.1:${port + 2}`, s, bigNames, '/rdap/domain/'),
      },
      {
        name: 'ceiling-kept-scale-out',
        pid: keptAgain.pid!,
        load: (s) => wrk(`http://127.0.0.1:${port + 5}`, s, bigNames, '/rdap/domain/'),
      },
      {
        name: 'rdap-one-process',
        pid: single.pid!,
        load: (s) => wrk(`http://127.0.0.1:${port}`, s, bigNames, '/rdap/domain/'),
      },
      {
        name: 'rdap-workers-2',
        pid: workers.pid!,
        load: (s) => wrk(`http://127.0.0.1:${workersPort}`, s, bigNames, '/rdap/domain/'),
      },
      {
        name: 'whois-one-process',
        pid: single.pid!,
        load: (s) => whoisLoad(whoisGenerator, port + 1, bigNames, s),
      },
      {
        name: 'whois-workers-2',
        pid: workers.pid!,
        load: (s) => whoisLoad(whoisGenerator, workersPort + 1, bigNames, s),
      },
      {
        name: 'rdap-zipf-cached',
        pid: cached.pid!,
        load: (s) => wrk(`http://127.0.0.1:${cachedPort}`, s, zipf, '/rdap/domain/', '', 'zipf'),
      },
    ])
    // how many of the cached case's lookups the cache answered once warm
    const end = await cacheEvents()
    const hits = end.hits - warm.hits
    const zipfCase = scaleOut.find((c) => c.name === 'rdap-zipf-cached')!
    zipfCase.cache_hit_rate = round(hits / (hits + end.misses - warm.misses || 1))
    cases.push(...scaleOut)
  } finally {
    for (const child of again) child.kill()
    await Promise.all([stop(single), stop(workers), stop(cached)])
  }

  const ceilingRps = cases[0]!.rps
  for (const c of cases) c.ratio = round(c.rps / ceilingRps)
  say('')
  say(
    'case                        req/s   ratio   p50 ms   p99 ms   worst round p99   peak RSS MB   CPU µs/req   PG µs/req',
  )
  for (const c of cases) {
    say(
      `${c.name.padEnd(26)}${String(c.rps).padStart(7)}${c.ratio!.toFixed(2).padStart(8)}${c.p50_ms.toFixed(2).padStart(9)}${c.p99_ms.toFixed(2).padStart(9)}${(c.p99_worst_round_ms?.toFixed(2) ?? '').padStart(18)}${String(c.peak_rss_mb).padStart(14)}${String(c.cpu_us).padStart(13)}${String(c.postgres_cpu_us).padStart(12)}`,
    )
  }
  const anonBig = cases.find((c) => c.name === `rdap-anonymous-${BIG / 1e6}M`)!
  const anonSmall = cases.find((c) => c.name === `rdap-anonymous-${SMALL / 1000}k`)!
  const rpsOf = (name: string) => cases.find((c) => c.name === name)!.rps
  say(
    `\nthroughput with ${BIG} domains / with ${SMALL}: ${(anonBig.rps / anonSmall.rps).toFixed(2)}`,
  )
  say(
    `anonymous lookups / the one-select reference: ${(rpsOf('rdap-anonymous') / rpsOf('reference-one-select')).toFixed(2)}`,
  )
  say(
    `anonymous lookups / the canned app served as the server is: ${(rpsOf('rdap-anonymous') / rpsOf('ceiling-prototypes-kept')).toFixed(2)}`,
  )
  say(`whois / the canned port-43 server: ${(rpsOf('whois') / rpsOf('whois-ceiling')).toFixed(2)}`)
  say(
    `searches / the canned app answering a page of the same size: prefix ${(rpsOf('search-prefix') / rpsOf('ceiling-search-page')).toFixed(2)}, name server ${(rpsOf('search-nameserver') / rpsOf('ceiling-search-page')).toFixed(2)}`,
  )
  const cachedCase = cases.find((c) => c.name === 'rdap-zipf-cached')!
  say(
    `scale-out, measured in its own turns: rdap workers-2 / one process ${(rpsOf('rdap-workers-2') / rpsOf('rdap-one-process')).toFixed(2)}, whois workers-2 / one process ${(rpsOf('whois-workers-2') / rpsOf('whois-one-process')).toFixed(2)}`,
  )
  say(
    `zipf lookups with the cache / the express ceiling ${(cachedCase.rps / rpsOf('ceiling-scale-out')).toFixed(2)}, / the canned app served as the server is ${(cachedCase.rps / rpsOf('ceiling-kept-scale-out')).toFixed(2)}; p99 ${cachedCase.p99_ms} ms, peak RSS ${cachedCase.peak_rss_mb} MB; the cache (warmed ${ZIPF_WARMUP} s) answered ${cachedCase.cache_hit_rate} of its lookups`,
  )
  // a failed request is not counted in req/s: a case with failures measured something else
  const failing = cases.filter((c) => c.errors > 0)
  say(
    failing.length
      ? `FAILED REQUESTS: ${failing.map((c) => `${c.name} ${c.errors}`).join(', ')}`
      : 'failed requests: none (not-found answers are the not-found case)',
  )
  if (failing.length) process.exitCode = 1
  // the limits stay on in the server (its load generators are exempt): what a check costs
  const limitCost = await limitCheckCost()
  say(
    `rate limit check, in memory (µs a query): exemption ${limitCost.exempt_check_us}, taking from a budget ${limitCost.take_new_address_us} (a new address each time) to ${limitCost.take_same_subject_us} (one subject)`,
  )
  await mkdir('bench', { recursive: true })
  await writeFile(
    'bench/results.json',
    `${JSON.stringify({ when: new Date().toISOString(), domains: BIG, connections: CONNECTIONS, seconds: SECONDS, cases, rate_limit_check: limitCost }, null, 2)}\n`,
  )
  say('written to bench/results.json')
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
