import { DatabaseError } from '../errors.js'
import type { Queryable } from '../storage/db.js'
import type { ObjectKind } from './objects.js'
import type { StagedRow } from './rows.js'

// The registry's side of every write: objects are staged (import_stage, by run), checked for
// references, then written to the tables in one transaction. Deposits and the ingest API share it.

export interface StagedItem {
  /** an object kind, `extra:contact` / `extra:registrar` (deposit extension), or `delete:<kind>` */
  readonly kind: string
  readonly key: string
  readonly line: number
  readonly row: StagedRow
}

/** a new run's id; its rows are invisible to every other run */
export async function newRun(db: Queryable): Promise<number> {
  const [row] = await db.query<{ id: string }>(`select nextval('import_runs')::text as id`)
  return Number(row!.id)
}

/** rows of runs that died (a killed import) are cleared once they are a day old */
export async function clearDeadRuns(db: Queryable): Promise<void> {
  await db.query(`delete from import_stage where staged_at < now() - interval '1 day'`)
}

/** stages items; a key given twice in one run is refused */
export async function stage(
  db: Queryable,
  run: number,
  items: readonly StagedItem[],
): Promise<{ duplicate?: StagedItem }> {
  if (items.length === 0) return {}
  const seen = new Set<string>()
  for (const item of items) {
    const id = `${item.kind} ${item.key}`
    if (seen.has(id)) return { duplicate: item }
    seen.add(id)
  }
  const rows = await db.query<{ kind: string; key: string }>(
    `insert into import_stage (run_id, kind, key, line, row)
     select $1, x->>'kind', x->>'key', (x->>'line')::int, x->'row'
       from jsonb_array_elements($2::jsonb) x
     on conflict (run_id, kind, key) do nothing
     returning kind, key`,
    [run, JSON.stringify(items)],
  )
  if (rows.length === items.length) return {}
  const inserted = new Set(rows.map((r) => `${r.kind} ${r.key}`))
  return { duplicate: items.find((i) => !inserted.has(`${i.kind} ${i.key}`)) }
}

export async function dropRun(db: Queryable, run: number): Promise<void> {
  await db.query('delete from import_stage where run_id = $1', [run])
}

/** a reference the run's objects make to an object neither staged nor (for a DIFF) stored */
export interface Dangling {
  readonly kind: ObjectKind
  readonly key: string
  readonly line: number
  readonly refKind: 'registrar' | 'contact' | 'host'
  readonly ref: string
}

/**
 * References that do not resolve. A FULL deposit must hold what it names (registrars may also be
 * stored already: a FULL deposit never removes one); a DIFF or an ingest may name stored objects
 * it does not delete.
 */
export async function danglingReferences(
  db: Queryable,
  run: number,
  mode: 'FULL' | 'DIFF',
  limit = 1000,
): Promise<Dangling[]> {
  return db.query<Dangling>(
    `with refs as (
       select s.kind, s.key, s.line, 'registrar' as ref_kind, s.row->>'clid' as ref
         from import_stage s where s.run_id = $1 and s.kind in ('contact', 'host', 'domain')
       union all
       select s.kind, s.key, s.line, 'contact', v.ref
         from import_stage s
        cross join lateral (values (s.row->>'registrant_roid'), (s.row->>'admin_roid'),
                                   (s.row->>'tech_roid'), (s.row->>'billing_roid')) v(ref)
        where s.run_id = $1 and s.kind = 'domain' and v.ref is not null
       union all
       select s.kind, s.key, s.line, 'host', h.ref
         from import_stage s cross join lateral jsonb_array_elements_text(s.row->'host_objs') h(ref)
        where s.run_id = $1 and s.kind = 'domain')
     select r.kind, r.key, r.line, r.ref_kind as "refKind", r.ref from refs r
      where not exists (select 1 from import_stage t
                         where t.run_id = $1 and t.kind = r.ref_kind and t.key = r.ref)
        and not (($2 = 'DIFF' or r.ref_kind = 'registrar')
                 and case r.ref_kind
                       when 'registrar' then exists (select 1 from registrars g where g.handle = r.ref)
                       when 'contact' then exists (select 1 from contacts c where c.handle = r.ref)
                       else exists (select 1 from hosts h where h.ldh_name = r.ref) end
                 and not exists (select 1 from import_stage d where d.run_id = $1
                                  and d.kind = 'delete:' || r.ref_kind and d.key = r.ref))
      order by r.line, r.ref
      limit $3`,
    [run, mode, limit],
  )
}

/** lenient imports: objects whose registrar is missing are left out, and so reported */
export async function dropObjectsWithoutRegistrar(db: Queryable, run: number): Promise<Dangling[]> {
  const gone = await db.query<Dangling>(
    `delete from import_stage s
      where s.run_id = $1 and s.kind in ('contact', 'host', 'domain')
        and not exists (select 1 from import_stage t
                         where t.run_id = $1 and t.kind = 'registrar' and t.key = s.row->>'clid')
        and not exists (select 1 from registrars g where g.handle = s.row->>'clid')
     returning s.kind, s.key, s.line, 'registrar' as "refKind", s.row->>'clid' as ref`,
    [run],
  )
  return gone.sort((a, b) => a.line - b.line)
}

const COLUMNS = {
  registrars: [
    'iana_id',
    'handle',
    'name',
    'url',
    'whois_server',
    'rdap_base_url',
    'abuse_email',
    'abuse_phone',
    'street',
    'city',
    'state_province',
    'postal_code',
    'country_code',
    'phone',
    'fax',
    'email',
    'status',
    'created_at',
    'updated_at',
  ],
  contacts: [
    'roid',
    'handle',
    'name',
    'organization',
    'street',
    'city',
    'state_province',
    'postal_code',
    'country_code',
    'postal_loc',
    'phone',
    'phone_ext',
    'fax',
    'fax_ext',
    'email',
    'person_kind',
    'consent',
    'consent_at',
    'statuses',
    'registrar_iana_id',
    'created_at',
    'updated_at',
  ],
  hosts: [
    'roid',
    'ldh_name',
    'unicode_name',
    'ipv4',
    'ipv6',
    'statuses',
    'registrar_iana_id',
    'created_at',
    'updated_at',
  ],
  domains: [
    'roid',
    'ldh_name',
    'unicode_name',
    'registrar_iana_id',
    'statuses',
    'created_at',
    'updated_at',
    'expires_at',
    'transferred_at',
    'registrant_roid',
    'admin_roid',
    'tech_roid',
    'billing_roid',
    'nameservers',
    'delegation_signed',
    'ds_data',
    'key_data',
    'host_attrs',
    'idn_table_id',
  ],
  idn_tables: ['id', 'url', 'url_policy'],
  nndns: [
    'a_name',
    'u_name',
    'idn_table_id',
    'original_name',
    'name_state',
    'mirroring_ns',
    'created_at',
  ],
} as const
type Table = keyof typeof COLUMNS

const REGISTRAR_OF = `'registrar_iana_id', (select g.iana_id from registrars g where g.handle = s.row->>'clid')`
const CONTACT_OF = (column: string) =>
  `'${column}', (select c.roid from contacts c where c.handle = s.row->>'${column}')`

/** what each staged kind adds to its row before it is written: references resolved, extras merged */
const RESOLVED: Record<Table, { row: string; conflict: string }> = {
  registrars: {
    row: `s.row || coalesce((select e.row from import_stage e
                              where e.run_id = s.run_id and e.kind = 'extra:registrar' and e.key = s.key), '{}')`,
    conflict: 'iana_id',
  },
  contacts: {
    row: `s.row || coalesce((select e.row from import_stage e
                              where e.run_id = s.run_id and e.kind = 'extra:contact' and e.key = s.key), '{}')
                || jsonb_build_object(${REGISTRAR_OF})`,
    conflict: 'roid',
  },
  hosts: { row: `s.row || jsonb_build_object(${REGISTRAR_OF})`, conflict: 'roid' },
  domains: {
    row: `s.row || jsonb_build_object(${REGISTRAR_OF}, ${['registrant_roid', 'admin_roid', 'tech_roid', 'billing_roid'].map(CONTACT_OF).join(', ')})`,
    conflict: 'roid',
  },
  idn_tables: { row: 's.row', conflict: 'id' },
  nndns: { row: 's.row', conflict: 'a_name' },
}

/** where rows to write come from: a run's staged rows of one kind, or one row given as JSON */
interface Source {
  readonly from: string
  readonly where: string
  readonly params: readonly unknown[]
}
const staged = (run: number, kind: string): Source => ({
  from: 'import_stage s',
  where: 's.run_id = $1 and s.kind = $2',
  params: [run, kind],
})
const oneRow = (key: string, row: StagedRow): Source => ({
  from: '(select -1::bigint as run_id, $1::text as key, $2::jsonb as row) s',
  where: 'true',
  params: [key, JSON.stringify(row)],
})

/**
 * Writes rows to one table: inserted, or replacing the stored one with their key. A stored row
 * equal to the new one is left out before the insert, so it is neither rewritten nor locked: a
 * daily FULL deposit writes only what changed, and a change pushed meanwhile that refers to an
 * unchanged contact does not wait for the deposit's transaction.
 */
async function upsert(db: Queryable, table: Table, source: Source): Promise<number> {
  const columns = COLUMNS[table]
  const { row, conflict } = RESOLVED[table]
  const others = columns.filter((c) => c !== conflict)
  const changeClass = CHANGE_CLASS[table]
  // a newer version than the one written wins, whoever wrote it: a deposit made before a pushed
  // change neither undoes that change nor brings back what it deleted
  const newer = changeClass
    ? `and not exists (select 1 from registry_changes c where c.object_class = '${changeClass}'
                          and c.object_key = s.key and c.action = 'delete'
                          and c.updated_at >= coalesce(p.updated_at, p.created_at))`
    : ''
  const notOlder = changeClass
    ? `where coalesce(excluded.updated_at, excluded.created_at) >= coalesce(${table}.updated_at, ${table}.created_at)`
    : ''
  const rows = await db.query(
    `insert into ${table} (${columns.join(', ')})
     select ${columns.map((c) => `p.${c}`).join(', ')}
       from ${source.from} cross join lateral jsonb_populate_record(null::${table}, ${row}) p
      where ${source.where}
        and not exists (select 1 from ${table} t where t.${conflict} = p.${conflict}
                           and (${others.map((c) => `t.${c}`).join(', ')})
                               is not distinct from (${others.map((c) => `p.${c}`).join(', ')}))
        ${newer}
     on conflict (${conflict}) do update set
       ${others.map((c) => `${c} = excluded.${c}`).join(', ')}
     ${notOlder}
     returning 1`,
    source.params,
  )
  return rows.length
}

/** the objects the ingest API changes, by table: their changes are ordered by update time */
const CHANGE_CLASS: Partial<Record<Table, string>> = {
  registrars: 'registrar',
  contacts: 'contact',
  hosts: 'host',
  domains: 'domain',
}

/** a stored domain or host whose name comes back under another ROID (deleted, created again) */
async function dropRenumbered(db: Queryable, table: 'domains' | 'hosts', source: Source) {
  await db.query(
    `delete from ${table} t using ${source.from}
      where ${source.where} and s.key = t.ldh_name and t.roid <> s.row->>'roid'`,
    source.params,
  )
}

const TABLE_OF: Record<ObjectKind, Table> = {
  registrar: 'registrars',
  contact: 'contacts',
  host: 'hosts',
  idnTable: 'idn_tables',
  domain: 'domains',
  nndn: 'nndns',
}

/** Writes every staged object of a run, registrars first so that the others' references resolve. */
export async function writeStaged(db: Queryable, run: number): Promise<void> {
  await dropRenumbered(db, 'domains', staged(run, 'domain'))
  await dropRenumbered(db, 'hosts', staged(run, 'host'))
  for (const kind of ['registrar', 'contact', 'host', 'idnTable', 'domain', 'nndn'] as const)
    await upsert(db, TABLE_OF[kind], staged(run, kind))
}

/** writes one object's row (the ingest API), its references already checked */
export async function writeOne(db: Queryable, kind: ObjectKind, key: string, row: StagedRow) {
  const source = oneRow(key, row)
  if (kind === 'domain') await dropRenumbered(db, 'domains', source)
  if (kind === 'host') await dropRenumbered(db, 'hosts', source)
  await upsert(db, TABLE_OF[kind], source)
}

/** the references of one object's row that name nothing stored */
export async function missingReferences(
  db: Queryable,
  row: StagedRow,
): Promise<{ refKind: string; ref: string }[]> {
  const refs = [
    { kind: 'registrar', ref: row.clid },
    ...['registrant_roid', 'admin_roid', 'tech_roid', 'billing_roid'].map((c) => ({
      kind: 'contact',
      ref: row[c],
    })),
    ...((row.host_objs as string[] | undefined) ?? []).map((ref) => ({ kind: 'host', ref })),
  ].filter((r) => typeof r.ref === 'string')
  if (refs.length === 0) return []
  return db.query(
    `select r.kind as "refKind", r.ref from jsonb_to_recordset($1::jsonb) as r(kind text, ref text)
      where not case r.kind
                  when 'registrar' then exists (select 1 from registrars g where g.handle = r.ref)
                  when 'contact' then exists (select 1 from contacts c where c.handle = r.ref)
                  else exists (select 1 from hosts h where h.ldh_name = r.ref) end`,
    [JSON.stringify(refs)],
  )
}

/**
 * Removes what the run's deletes name, in two steps around writing the run's objects: domains first
 * (a DIFF may delete a domain and the contact only it used), then what domains refer to, once the
 * changed domains no longer do. An object still referenced makes it fail (foreign keys).
 */
export async function applyDeletes(
  db: Queryable,
  run: number,
  step: 'domains' | 'rest',
): Promise<void> {
  const keys = `(select key from import_stage where run_id = $1 and kind = $2)`
  if (step === 'domains') {
    await db.query(`delete from nndns where a_name in ${keys}`, [run, 'delete:nndn'])
    await db.query(`delete from domains where ldh_name in ${keys}`, [run, 'delete:domain'])
    return
  }
  await db.query(`delete from hosts where ldh_name in ${keys}`, [run, 'delete:host'])
  await db.query(`delete from contacts where handle in ${keys}`, [run, 'delete:contact'])
  await db.query(`delete from idn_tables where id in ${keys}`, [run, 'delete:idnTable'])
  await db.query(`delete from registrars where handle in ${keys}`, [run, 'delete:registrar'])
}

const TLD_OF = (column: string) => `substring(${column} from '[^.]+$')`

/**
 * A FULL deposit's switch: its objects are written over the stored ones (unless those are newer);
 * the domains and NNDNs of its TLDs that it does not hold are removed (unless pushed after its
 * watermark), and then the contacts and hosts that are neither in it nor used by any domain any
 * more. Run in one transaction.
 */
export async function replaceTlds(
  db: Queryable,
  run: number,
  tlds: readonly string[],
  watermark: string | undefined,
): Promise<void> {
  await writeStaged(db, run)
  // anti-joins on indexed columns: NOT IN over a million names would be a nested loop. A domain
  // pushed after the deposit was made (its watermark) is not the deposit's to remove.
  await db.query(
    `delete from domains d where ${TLD_OF('d.ldh_name')} = any($2::text[])
        and not exists (select 1 from import_stage s where s.run_id = $1 and s.kind = 'domain' and s.key = d.ldh_name)
        and not exists (select 1 from registry_changes c where c.object_class = 'domain'
                          and c.object_key = d.ldh_name and c.action = 'put' and c.updated_at > $3)`,
    [run, tlds, watermark ?? 'infinity'],
  )
  await db.query(
    `delete from nndns n where ${TLD_OF('n.a_name')} = any($2::text[])
        and not exists (select 1 from import_stage s where s.run_id = $1 and s.kind = 'nndn' and s.key = n.a_name)`,
    [run, tlds],
  )
  await db.query(
    `delete from hosts h
      where not exists (select 1 from import_stage s where s.run_id = $1 and s.kind = 'host' and s.key = h.ldh_name)
        and not exists (select 1 from (select distinct unnest(nameservers) as name from domains) used
                         where used.name = h.ldh_name)`,
    [run],
  )
  await db.query(
    `delete from contacts c
      where not exists (select 1 from import_stage s where s.run_id = $1 and s.kind = 'contact' and s.key = c.handle)
        and not exists (select 1 from domains d where d.registrant_roid = c.roid)
        and not exists (select 1 from domains d where d.admin_roid = c.roid)
        and not exists (select 1 from domains d where d.tech_roid = c.roid)
        and not exists (select 1 from domains d where d.billing_roid = c.roid)`,
    [run],
  )
}

/**
 * After a FULL deposit replaced every TLD of the demo: the demo's registrars, IDN tables and TLDs
 * that the deposit does not hold go too, so that nothing of the demo is left.
 */
export async function removeDemoRest(db: Queryable, run: number, tlds: readonly string[]) {
  await db.query(
    `delete from registrars g
      where not exists (select 1 from import_stage s where s.run_id = $1 and s.kind = 'registrar' and s.key = g.handle)
        and not exists (select 1 from domains where registrar_iana_id = g.iana_id)
        and not exists (select 1 from hosts where registrar_iana_id = g.iana_id)
        and not exists (select 1 from contacts where registrar_iana_id = g.iana_id)`,
    [run],
  )
  await db.query(
    `delete from idn_tables t
      where not exists (select 1 from import_stage s where s.run_id = $1 and s.kind = 'idnTable' and s.key = t.id)`,
    [run],
  )
  await db.query('delete from tlds where ldh_name <> all($1::text[])', [tlds])
}

/** whether the registry holds the demo and nothing imported since */
export async function holdsDemo(db: Queryable): Promise<boolean> {
  const [last] = await db.query<{ kind: string }>(
    `select kind from registry_loads order by id desc limit 1`,
  )
  return last?.kind === 'demo'
}

/** objects of each kind stored, those of `tlds` only for domains and NNDNs */
export async function storedCounts(
  db: Queryable,
  tlds: readonly string[],
): Promise<Record<ObjectKind, number>> {
  const [row] = await db.query<Record<ObjectKind, number>>(
    `select (select count(*) from domains where ${TLD_OF('ldh_name')} = any($1::text[]))::int as domain,
            (select count(*) from nndns where ${TLD_OF('a_name')} = any($1::text[]))::int as nndn,
            (select count(*) from hosts)::int as host,
            (select count(*) from contacts)::int as contact,
            (select count(*) from registrars)::int as registrar,
            (select count(*) from idn_tables)::int as "idnTable"`,
    [tlds],
  )
  return row!
}

export interface LoadRecord {
  readonly kind: 'demo' | 'FULL' | 'DIFF'
  readonly depositId?: string
  readonly tlds?: readonly string[]
  readonly counts?: Record<string, number>
  readonly operator?: string
  readonly host?: string
}

export async function recordLoad(db: Queryable, load: LoadRecord): Promise<void> {
  await db.query(
    `insert into registry_loads (kind, deposit_id, tlds, counts, operator, host)
     values ($1, $2, $3, $4, $5, $6)`,
    [
      load.kind,
      load.depositId ?? null,
      load.tlds ?? [],
      JSON.stringify(load.counts ?? {}),
      load.operator ?? null,
      load.host ?? null,
    ],
  )
}

/**
 * A write the registry's own constraints refused (SQLSTATE 23503: still referenced; 23505: a key
 * another object holds), in words for whoever sent it; undefined for anything else (an outage).
 */
export function conflictOf(err: unknown): string | undefined {
  if (!(err instanceof DatabaseError)) return undefined
  if (err.sqlState === '23503') return `an object still in use would be removed (${err.message})`
  if (err.sqlState === '23505') return `an identifier belongs to another object (${err.message})`
  return undefined
}
