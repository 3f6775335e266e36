import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { listDisclosures, verifyChain } from './audit/disclosures.js'
import {
  addAccreditation,
  listAccreditations,
  setAccreditationStatus,
} from './auth/accreditations.js'
import { DEMO_ISSUER, signDemoToken } from './auth/demo-issuer.js'
import { loadConfig, type Config } from './config.js'
import { AUDIENCES, isAudience, PURPOSES, type Audience, type Purpose } from './domain/audience.js'
import { isNameProblem, normalizeDomainName } from './domain/names.js'
import { StartupError } from './errors.js'
import { anonymizeSecret } from './local-data.js'
import { createLogger } from './log.js'
import { disclose } from './policy/engine.js'
import { FIELD_PATHS } from './policy/fields.js'
import { loadPolicy, PolicyError } from './policy/load.js'
import { readSuite, runSuite } from './policy/suite.js'
import { openDatabases, type Databases } from './storage/db.js'
import { findDomainByName } from './storage/registrations.js'
import { seedDemoIfEmpty, seedSynthetic } from './storage/seed.js'

const USAGE = `usage: rdds <command>

  serve                                   start the server (same as npm start)
  migrate                                 apply sql/ migrations to the configured database
  seed [--domains N]                      load the demo registry and N synthetic domains
  preview <domain> [--audience A] [--policy P] [--json]
                                          what each audience sees of one domain, field by field
  policy-check [name…]                    validate policies and run their test suites
  token --audience A [--registrar ID] [--ttl 1h]
                                          a demo token (local development issuer)
  accreditation add --id ID --holder H --purposes p1,p2 [--issuer ISS] [--until ISO-DATE]
  accreditation list | suspend ID | revoke ID | activate ID
  audit list [--subject S] [--object O] [--since ISO-DATE] [--limit N] [--json]
  audit verify                            check the disclosure log's hash chain

The database, policy and data folder come from the environment (README: Configuration).`

class UsageError extends Error {}

/** node:util parseArgs refusing an option or a value: the user's mistake, not a crash */
const isArgumentError = (err: unknown): boolean =>
  String((err as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS_')

async function withDb<T>(config: Config, fn: (dbs: Databases) => Promise<T>): Promise<T> {
  const log = createLogger({ LOG_LEVEL: 'warn' })
  const dbs = await openDatabases(config, log)
  try {
    if (!config.DATABASE_URL) await seedDemoIfEmpty(dbs.primary)
    return await fn(dbs)
  } finally {
    await dbs.close()
  }
}

const out = (line = '') => process.stdout.write(`${line}\n`)

async function seed(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { domains: { type: 'string', default: '0' } } })
  const n = Number(values.domains)
  if (!Number.isInteger(n) || n < 0) throw new UsageError('--domains wants a whole number')
  const started = Date.now()
  const tty = process.stderr.isTTY
  let lastTenth = -1
  await withDb(config, (dbs) =>
    seedSynthetic(dbs.primary, n, (done, total) => {
      const share = total ? done / total : 1
      const secs = ((Date.now() - started) / 1000).toFixed(1)
      if (tty) {
        const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.')
        process.stderr.write(
          `\r[${bar}] ${(share * 100).toFixed(0).padStart(3)}% ${done}/${total} ${secs}s`,
        )
      } else if (Math.floor(share * 10) > lastTenth) {
        lastTenth = Math.floor(share * 10)
        process.stderr.write(`seeded ${done}/${total} (${secs}s)\n`)
      }
    }),
  )
  if (tty && n) process.stderr.write('\n')
  out(
    `seeded ${n} synthetic domains (plus the demo set) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
}

async function preview(config: Config, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      audience: { type: 'string' },
      policy: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  const name = normalizeDomainName(positionals[0] ?? '')
  if (isNameProblem(name)) throw new UsageError(`give a domain name: ${name.problem}`)
  if (values.audience && !isAudience(values.audience))
    throw new UsageError(`unknown audience; one of ${AUDIENCES.join(', ')}`)
  const policy = await loadPolicy(values.policy ?? config.POLICY, {
    dir: config.POLICIES_DIR,
    secret: await anonymizeSecret(config),
  })
  const audiences = values.audience ? [values.audience as Audience] : [...policy.audiences]
  const domain = await withDb(config, (dbs) => findDomainByName(dbs.reader, name.ldhName))
  if (!domain) throw new UsageError(`${name.ldhName} is not in the database`)
  const views = audiences.map((a) => ({
    audience: a,
    disclosure: disclose(policy, { kind: 'domain', domain }, a),
  }))
  if (values.json) {
    out(
      JSON.stringify(
        {
          domain: domain.ldhName,
          policy: { name: policy.name, version: policy.version },
          audiences: views.map(({ audience, disclosure }) => ({
            audience,
            shown: disclosure.shown,
            withheld: disclosure.withheld.map((w) => ({
              path: w.path,
              method: w.method,
              ...(w.replacement ? { replacement: w.replacement.value } : {}),
            })),
          })),
        },
        null,
        2,
      ),
    )
    return
  }
  const present = new Set(
    views.flatMap(({ disclosure }) => [
      ...disclosure.shown,
      ...disclosure.withheld.map((w) => w.path),
    ]),
  )
  const paths = FIELD_PATHS.filter((p) => present.has(p))
  out(
    `${domain.ldhName} under ${policy.name} (version ${policy.version}): shown, or withheld and how (RFC 9537 method)`,
  )
  const cell = (d: (typeof views)[number]['disclosure'], path: string) => {
    if (d.shown.includes(path)) return 'shown'
    const w = d.withheld.find((x) => x.path === path)
    return w
      ? { removal: 'removed', emptyValue: 'emptied', replacementValue: 'replaced' }[w.method]
      : '-'
  }
  const width = Math.max(...paths.map((p) => p.length)) + 2
  const col = (s: string) =>
    s.padEnd(Math.max(12, ...audiences.map((a) => a.replace('accredited:', '').length)) + 2)
  out(''.padEnd(width) + audiences.map((a) => col(a.replace('accredited:', ''))).join(''))
  for (const path of paths)
    out(path.padEnd(width) + views.map(({ disclosure }) => col(cell(disclosure, path))).join(''))
}

async function policyCheck(config: Config, args: string[]): Promise<boolean> {
  const names = args.length
    ? args
    : (await readdir(config.POLICIES_DIR))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -5))
  let ok = true
  for (const name of names) {
    try {
      const policy = await loadPolicy(name, {
        dir: config.POLICIES_DIR,
        secret: 'policy-check-secret-0123456789',
      })
      const results = runSuite(
        policy,
        await readSuite(join(config.POLICIES_DIR, 'tests', `${name}_test.yaml`)),
      )
      const failed = results.filter((r) => r.failures.length)
      out(`${name}: loads; ${results.length - failed.length}/${results.length} test cases pass`)
      for (const f of failed) out(`  FAIL ${f.name}: ${f.failures.join('; ')}`)
      ok &&= failed.length === 0
    } catch (err) {
      ok = false
      out(err instanceof PolicyError ? err.message : `${name}: ${(err as Error).message}`)
    }
  }
  return ok
}

async function token(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      audience: { type: 'string' },
      registrar: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      subject: { type: 'string' },
    },
  })
  const audience = values.audience
  if (!audience || !isAudience(audience) || audience === 'public') {
    throw new UsageError(
      `--audience is one of ${AUDIENCES.filter((a) => a !== 'public').join(', ')}`,
    )
  }
  const registrarId = values.registrar ? Number(values.registrar) : undefined
  if (audience === 'registrar' && !(registrarId && Number.isInteger(registrarId)))
    throw new UsageError('--registrar <IANA id> is required for the registrar audience')
  if (!/^\d+[smhd]$/.test(values.ttl)) throw new UsageError('--ttl looks like 15m, 1h or 1d')
  const jwt = await signDemoToken(config.DATA_DIR, {
    audience,
    ttl: values.ttl,
    ...(registrarId ? { registrarId } : {}),
    ...(values.subject ? { subject: values.subject } : {}),
  })
  process.stderr.write(
    `demo token for ${audience}${registrarId ? ` (registrar ${registrarId})` : ''}, valid ${values.ttl}, issuer ${DEMO_ISSUER}\n`,
  )
  process.stderr.write(
    'use: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/rdap/domain/privacy.example\n',
  )
  out(jwt)
}

async function accreditation(config: Config, [sub, ...args]: string[]): Promise<void> {
  await withDb(config, async ({ primary }) => {
    if (sub === 'list') {
      for (const a of await listAccreditations(primary)) {
        out(
          `${a.id}\t${a.status}\t${a.purposes.join(',')}\t${a.issuer}\t${a.holder}${a.validUntil ? `\tuntil ${a.validUntil.toISOString()}` : ''}`,
        )
      }
      return
    }
    if (sub === 'add') {
      const { values } = parseArgs({
        args,
        options: {
          id: { type: 'string' },
          holder: { type: 'string' },
          issuer: { type: 'string' },
          purposes: { type: 'string' },
          until: { type: 'string' },
        },
      })
      const purposes = (values.purposes ?? '').split(',').filter(Boolean)
      if (!values.id || !values.holder || !purposes.length)
        throw new UsageError('add needs --id, --holder and --purposes')
      const unknown = purposes.filter((p) => !(PURPOSES as readonly string[]).includes(p))
      if (unknown.length)
        throw new UsageError(
          `unknown purpose(s) ${unknown.join(', ')}; one of ${PURPOSES.join(', ')}`,
        )
      const until = values.until ? new Date(values.until) : null
      if (until && Number.isNaN(until.getTime())) throw new UsageError('--until wants an ISO date')
      await addAccreditation(primary, {
        id: values.id,
        holder: values.holder,
        issuer: values.issuer ?? DEMO_ISSUER,
        purposes: purposes as Purpose[],
        validUntil: until,
      })
      out(`accreditation ${values.id} added`)
      return
    }
    const status = ({ suspend: 'suspended', revoke: 'revoked', activate: 'active' } as const)[
      sub as 'suspend'
    ]
    if (!status || !args[0])
      throw new UsageError('accreditation add | list | suspend ID | revoke ID | activate ID')
    if (!(await setAccreditationStatus(primary, args[0], status)))
      throw new UsageError(`no accreditation ${args[0]}`)
    out(`accreditation ${args[0]} is ${status}`)
  })
}

async function audit(config: Config, [sub, ...args]: string[]): Promise<boolean> {
  return withDb(config, async ({ primary }) => {
    if (sub === 'verify') {
      const result = await verifyChain(primary)
      for (const p of result.problems) out(`TAMPERED ${p}`)
      out(
        result.problems.length
          ? `audit chain broken: ${result.problems.length} problem(s) in ${result.rows} rows`
          : `audit chain intact: ${result.rows} rows`,
      )
      return result.problems.length === 0
    }
    if (sub !== 'list') throw new UsageError('audit list | verify')
    const { values } = parseArgs({
      args,
      options: {
        subject: { type: 'string' },
        object: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string', default: '1000' },
        json: { type: 'boolean', default: false },
      },
    })
    const since = values.since ? new Date(values.since) : undefined
    if (since && Number.isNaN(since.getTime())) throw new UsageError('--since wants an ISO date')
    const limit = Number(values.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000)
      throw new UsageError('--limit wants a whole number from 1 to 1000000')
    const rows = await listDisclosures(primary, {
      ...(values.subject ? { subject: values.subject } : {}),
      ...(values.object ? { object: values.object } : {}),
      ...(since ? { since } : {}),
      limit,
    })
    if (rows.length === limit)
      process.stderr.write(
        `showing the first ${limit} rows, oldest first; there may be more: narrow with --since or raise --limit\n`,
      )
    if (values.json) out(JSON.stringify(rows, null, 2))
    else
      for (const r of rows)
        out(
          `${r.at.toISOString()}\t${r.subject ?? '-'}\t${r.audience}\t${r.objectClass} ${r.objectHandle}\t${r.fields.join(',')}\t${r.policyName} v${r.policyVersion}\t${r.requestId}`,
        )
    return true
  })
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv
  if (!command || command === 'help' || command === '--help') {
    out(USAGE)
    return command ? 0 : 2
  }
  const config = loadConfig()
  if (command === 'serve') {
    await import('./main.js')
    return -1 // the server runs on; its own signals end it
  }
  const run = COMMANDS[command]
  if (!run) throw new UsageError(`unknown command ${command}`)
  return (await run(config, args)) === false ? 1 : 0
}

/** each command; false means it ran and found a problem (exit 1) */
const COMMANDS: Record<string, (config: Config, args: string[]) => Promise<boolean | void>> = {
  migrate: (config) => withDb(config, async () => out('migrations applied')),
  seed,
  preview,
  'policy-check': policyCheck,
  token,
  accreditation,
  audit,
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err: unknown) => {
    const usage = err instanceof UsageError || isArgumentError(err)
    if (usage) process.stderr.write(`rdds: ${(err as Error).message}\n\n${USAGE}\n`)
    else if (err instanceof StartupError || err instanceof PolicyError)
      process.stderr.write(`rdds: ${err.message}\n`)
    else process.stderr.write(`rdds: ${(err as Error)?.stack ?? String(err)}\n`)
    process.exit(usage ? 2 : 1)
  },
)
