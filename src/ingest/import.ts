import { pipeline, Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import type { Db, Queryable } from '../storage/db.js'
import {
  clearDeadRuns,
  conflictOf,
  danglingReferences,
  dropObjectsWithoutRegistrar,
  dropRun,
  holdsDemo,
  newRun,
  recordLoad,
  removeDemoRest,
  replaceTlds,
  stage,
  storedCounts,
  applyDeletes,
  writeStaged,
  type Dangling,
  type StagedItem,
} from './apply.js'
import { OBJECT_KINDS, type ObjectKind } from './objects.js'
import { DepositError, readDeposit, type DepositHeader, type DepositItem } from './rde-read.js'
import { canonicalName, deleteKeyOf, stagedRowOf } from './rows.js'

export { DepositError } from './rde-read.js'

export interface ImportProgress {
  readonly phase: 'reading' | 'checking' | 'switching'
  /** input bytes read so far (compressed, for a .gz) */
  readonly bytes: number
  readonly objects: number
}

export interface ImportOptions {
  /** import what can be imported and list what was skipped, instead of refusing the deposit */
  readonly lenient?: boolean
  readonly operator?: string
  readonly host?: string
  readonly onProgress?: (progress: ImportProgress) => void
}

export interface ImportSummary {
  readonly type: 'FULL' | 'DIFF'
  readonly depositId: string
  readonly tlds: string[]
  readonly objects: Record<ObjectKind, number>
  readonly deletes: Record<ObjectKind, number>
  /** what a lenient import left out, or passed over, each with the line it is on */
  readonly skipped: string[]
  /** elements of extensions this server does not read, by qualified name, and how many */
  readonly extensions: Record<string, number>
  readonly demoReplaced: boolean
  readonly seconds: number
}

const zeroCounts = (): Record<ObjectKind, number> =>
  Object.fromEntries(OBJECT_KINDS.map((k) => [k, 0])) as Record<ObjectKind, number>

/**
 * Reads an RFC 9022 deposit (plain or gzip) from `input` and applies it: a FULL deposit replaces
 * the data of its TLDs, a DIFF applies its deletes and changes, each in one transaction, so that
 * lookups see the registry before or after, never between. Anything wrong refuses the whole
 * deposit with a DepositError and nothing is applied.
 */
export async function importDeposit(
  db: Db,
  input: Readable,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now()
  const objects = zeroCounts()
  const deletes = zeroCounts()
  const extensions: Record<string, number> = {}
  let bytes = 0
  const report = (phase: ImportProgress['phase']) =>
    options.onProgress?.({
      phase,
      bytes,
      objects: Object.values(objects).reduce((a, b) => a + b, 0),
    })

  await clearDeadRuns(db)
  const run = await newRun(db)
  try {
    const header = await readDeposit(
      await decompressed(input, (n) => (bytes += n)),
      {
        extension: (name) => (extensions[name] = (extensions[name] ?? 0) + 1),
        items: async (items) => {
          const staged = items.map((item) => stagedItemOf(item, objects, deletes))
          const { duplicate } = await stage(db, run, staged)
          if (duplicate)
            throw new DepositError(
              `${describe(duplicate.kind)} ${duplicate.key} appears more than once`,
              { line: duplicate.line, col: 1 },
            )
          report('reading')
        },
        progress: () => report('reading'),
      },
      () => bytes,
    )
    if (header.type === 'FULL') checkCounts(header, objects)

    report('checking')
    const skipped: string[] = []
    if (options.lenient) {
      const left = await dropObjectsWithoutRegistrar(db, run)
      for (const d of left) objects[d.kind]--
      skipped.push(
        ...left.map((d) => `line ${d.line}: ${d.kind} ${d.key} left out: ${problemOf(d)}`),
      )
      const passed = await danglingReferences(db, run, header.type)
      skipped.push(
        ...passed.map(
          (d) =>
            `line ${d.line}: ${d.kind} ${d.key}: ${problemOf(d)}; ${d.refKind === 'host' ? 'kept as a name server name' : 'the reference is left out'}`,
        ),
      )
    } else {
      const dangling = await danglingReferences(db, run, header.type, 5)
      if (dangling.length > 0) {
        const first = dangling[0]!
        throw new DepositError(
          `${first.kind} ${first.key}: ${problemOf(first)}${
            dangling.length > 1
              ? ` (and more: ${dangling
                  .slice(1)
                  .map((d) => `line ${d.line} ${d.kind} ${d.key}`)
                  .join(', ')}${dangling.length === 5 ? ', ...' : ''})`
              : ''
          }; nothing was imported (--lenient imports the rest)`,
          { line: first.line, col: 1 },
        )
      }
    }

    report('switching')
    const headerTlds = header.tlds.map((t) => canonicalName(t, 'TLD').ldh)
    const { tlds, demoReplaced } = await db
      .transaction(async (tx) => {
        // one import switches at a time
        await tx.query('select pg_advisory_xact_lock(4343081)')
        const tlds = [...new Set([...headerTlds, ...(await stagedTlds(tx, run))])].sort()
        let demoReplaced = false
        if (header.type === 'FULL') {
          // the first deposit replaces the demo whole: every TLD it served, and what is left of it
          demoReplaced = await holdsDemo(tx)
          const replaced = demoReplaced ? [...new Set([...tlds, ...(await servedTlds(tx))])] : tlds
          await replaceTlds(tx, run, replaced, header.watermark)
          if (demoReplaced) await removeDemoRest(tx, run, tlds)
          if (tlds.length)
            await tx.query('insert into tlds select unnest($1::text[]) on conflict do nothing', [
              tlds,
            ])
        } else {
          if (await holdsDemo(tx))
            throw new DepositError(
              'the database holds the demo registry: import a FULL deposit first, which replaces it',
            )
          await applyDeletes(tx, run, 'domains')
          await writeStaged(tx, run)
          await applyDeletes(tx, run, 'rest')
          await checkTotals(tx, header, tlds)
        }
        await recordLoad(tx, {
          kind: header.type,
          depositId: header.id,
          tlds,
          counts: {
            ...objects,
            ...Object.fromEntries(OBJECT_KINDS.map((k) => [`deleted ${k}`, deletes[k]])),
          },
          ...(options.operator ? { operator: options.operator } : {}),
          ...(options.host ? { host: options.host } : {}),
        })
        return { tlds, demoReplaced }
      })
      .catch((err: unknown) => {
        throw referenceError(err)
      })
    // a FULL deposit rewrote whole tables: the planner needs their new statistics now
    if (header.type === 'FULL')
      await db.exec('analyze registrars, contacts, hosts, domains').catch(() => undefined)
    return {
      type: header.type,
      depositId: header.id,
      tlds,
      objects,
      deletes,
      skipped,
      extensions,
      demoReplaced,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    }
  } finally {
    await dropRun(db, run).catch(() => undefined)
  }
}

function stagedItemOf(
  item: DepositItem,
  objects: Record<ObjectKind, number>,
  deletes: Record<ObjectKind, number>,
): StagedItem {
  try {
    switch (item.type) {
      case 'object': {
        objects[item.kind]++
        const { key, row } = stagedRowOf(item.kind, item.object)
        return { kind: item.kind, key, row, line: item.at.line }
      }
      case 'delete':
        deletes[item.kind]++
        return {
          kind: `delete:${item.kind}`,
          key: deleteKeyOf(item.kind, item.key),
          row: {},
          line: item.at.line,
        }
      case 'extra':
        return {
          kind: `extra:${item.of}`,
          key: item.key,
          row: extraRow(item.of, item.fields),
          line: item.at.line,
        }
    }
  } catch (err) {
    if (err instanceof DepositError) throw err
    throw new DepositError((err as Error).message, item.at)
  }
}

/** this server's deposit extension: the columns EPP has no element for */
function extraRow(of: 'contact' | 'registrar', fields: Record<string, string>) {
  const pick = (name: string) => fields[name] ?? null
  if (of === 'contact') {
    const kind = pick('personKind')
    if (kind !== null && kind !== 'natural' && kind !== 'legal')
      throw new Error(`personKind must be natural or legal (found "${kind}")`)
    return {
      ...(kind ? { person_kind: kind } : {}),
      ...(fields.consentAt ? { consent_at: fields.consentAt } : {}),
    }
  }
  return {
    abuse_email: pick('abuseEmail'),
    abuse_phone: pick('abuseVoice'),
    rdap_base_url: pick('rdapBaseUrl'),
  }
}

const describe = (kind: string) =>
  kind.startsWith('delete:')
    ? `the delete of ${kind.slice(7)}`
    : kind.replace('extra:', 'extension of ')

function problemOf(d: Dangling): string {
  const what = d.refKind === 'host' ? 'name server' : d.refKind
  return `its ${what} "${d.ref}" is not in the deposit${d.refKind === 'registrar' ? ' or the registry' : ''}`
}

function checkCounts(header: DepositHeader, read: Record<ObjectKind, number>): void {
  for (const kind of OBJECT_KINDS) {
    const said = header.counts[kind]
    if (said !== undefined && said !== read[kind])
      throw new DepositError(
        `the header counts ${said} ${kind} objects but the deposit holds ${read[kind]}; nothing was imported`,
        header.at,
      )
  }
}

/**
 * A DIFF's header counts what the registry holds once it is applied (RFC 9022 §5.1.1). Domains and
 * NNDNs are counted within the deposit's TLDs; the others, which are not by TLD, only when the
 * registry serves no other TLD.
 */
async function checkTotals(tx: Queryable, header: DepositHeader, tlds: readonly string[]) {
  if (Object.keys(header.counts).length === 0) return
  const stored = await storedCounts(tx, tlds)
  const served = await tx.query<{ ldh_name: string }>('select ldh_name from tlds')
  const onlyThese = served.every((t) => tlds.includes(t.ldh_name))
  for (const kind of OBJECT_KINDS) {
    const said = header.counts[kind]
    if (said === undefined || (!onlyThese && kind !== 'domain' && kind !== 'nndn')) continue
    if (said !== stored[kind])
      throw new DepositError(
        `the header counts ${said} ${kind} objects but the registry would hold ${stored[kind]} after this deposit; nothing was imported`,
        header.at,
      )
  }
}

async function servedTlds(db: Queryable): Promise<string[]> {
  return (await db.query<{ ldh_name: string }>('select ldh_name from tlds')).map((r) => r.ldh_name)
}

async function stagedTlds(db: Queryable, run: number): Promise<string[]> {
  const rows = await db.query<{ tld: string }>(
    `select distinct substring(key from '[^.]+$') as tld from import_stage
      where run_id = $1 and kind in ('domain', 'nndn')`,
    [run],
  )
  return rows.map((r) => r.tld)
}

/** a foreign key that stops a delete, or a key given twice, in the deposit's words */
function referenceError(err: unknown): unknown {
  const conflict = conflictOf(err)
  return conflict ? new DepositError(`${conflict}; nothing was imported`) : err
}

/** the input as bytes of text: gunzipped when it starts with the gzip magic number */
async function decompressed(input: Readable, counted: (bytes: number) => void): Promise<Readable> {
  const iterator = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]()
  const first = await iterator.next()
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value)
  const source = Readable.from(
    (async function* () {
      counted(head.length)
      if (head.length) yield head
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        const chunk = Buffer.from(r.value)
        counted(chunk.length)
        yield chunk
      }
    })(),
    { objectMode: false },
  )
  if (head[0] !== 0x1f || head[1] !== 0x8b) return source
  const gunzip = createGunzip()
  pipeline(source, gunzip, () => undefined) // an error reaches the reader through gunzip
  return gunzip
}
