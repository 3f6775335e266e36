import type { ContactRole, ContactTest } from '../domain/registration.js'
import type { Db, Queryable } from './db.js'

/**
 * A pattern as SQL LIKE takes it: RFC 9082 §4.1 `*` matches any run of characters. `exact` when it
 * has none, so an equality can be used.
 */
export interface Pattern {
  readonly like: string
  readonly exact: boolean
}

/** a name pattern, on the column that can answer it: A-labels, or U-labels for Unicode partials */
export interface NamePattern extends Pattern {
  readonly column: 'ldh' | 'unicode'
}

export type Criteria =
  | { readonly kind: 'domains'; readonly by: 'name' | 'nsLdhName'; readonly name: NamePattern }
  | { readonly kind: 'domains'; readonly by: 'nsIp'; readonly ip: Ip }
  | { readonly kind: 'nameservers'; readonly by: 'name'; readonly name: NamePattern }
  | { readonly kind: 'nameservers'; readonly by: 'ip'; readonly ip: Ip }
  | { readonly kind: 'entities'; readonly by: 'fn' | 'handle'; readonly text: Pattern }
  | {
      readonly kind: 'reverse'
      /** RFC 9536 §3 reverse-search properties */
      readonly by: 'fn' | 'handle' | 'email'
      readonly text: Pattern
      readonly role: ContactRole | undefined
    }

export interface Ip {
  readonly family: 4 | 6
  readonly address: string
}

/**
 * When a row's value may match: a registrar's own rows may have a rule of their own. Built from the
 * policy by the search use case, so SQL never matches a value the viewer's lookup would withhold.
 */
export interface Matchable {
  readonly other: ContactTest
  readonly own?: { readonly registrarId: number; readonly rule: ContactTest }
}

/** for each field a search matches on, when it may match; every one must hold */
export type MatchRules = readonly Matchable[]

export interface SortKey {
  readonly property: string
  readonly descending: boolean
}

/** the parts of a search whose matched values must be visible: each has its own rules */
export type RulePart = 'domain' | 'host' | 'registrar' | 'contact' | ContactRole

export interface SearchPage {
  readonly criteria: Criteria
  /** when a value matched in each part may match (for a reverse search: per role) */
  readonly rules: (part: RulePart) => MatchRules
  readonly sort: readonly SortKey[]
  /** the sort values of the last row of the page before (from the cursor) */
  readonly after?: readonly (string | null)[]
  readonly limit: number
}

export interface FoundRow {
  /** 'registrar' rows carry the IANA id, others the name or ROID */
  readonly kind: 'domain' | 'host' | 'contact' | 'registrar'
  readonly key: string
  /** the sort values, as text, for the next page's cursor */
  readonly sortValues: readonly (string | null)[]
}

// the expressions each result kind sorts by (RFC 8977 §2.3.1 property names); names in "C" order
const SORTS = {
  domains: {
    name: 'd.ldh_name collate "C"',
    registrationDate: 'd.created_at',
    expirationDate: 'd.expires_at',
    lastChangedDate: `coalesce(d.updated_at, '-infinity'::timestamptz)`,
  },
  nameservers: {
    name: 'h.ldh_name collate "C"',
    registrationDate: 'h.created_at',
    lastChangedDate: `coalesce(h.updated_at, '-infinity'::timestamptz)`,
  },
  entities: { handle: 'e.handle collate "C"' },
} as const

export type ResultKind = keyof typeof SORTS

export const resultKindOf = (c: Criteria): ResultKind => (c.kind === 'reverse' ? 'domains' : c.kind)

/** the properties a result kind sorts by, its default first */
export const sortProperties = (kind: ResultKind): readonly string[] => Object.keys(SORTS[kind])

// what makes the order total: ties on a date are broken by the name
const TIEBREAK: Readonly<Record<ResultKind, string>> = {
  domains: 'name',
  nameservers: 'name',
  entities: 'handle',
}

/** the SQL of one page and of its count; both take the same parameters */
class Sql {
  readonly params: unknown[] = []
  param(value: unknown, cast = ''): string {
    this.params.push(value)
    return `$${this.params.length}${cast}`
  }
}

/** one page of the search's keys, in sort order, one more than the page to tell if another follows */
export async function searchPage(db: Db, page: SearchPage): Promise<FoundRow[]> {
  const kind = resultKindOf(page.criteria)
  const sql = new Sql()
  const keys = orderOf(kind, page.sort)
  const base = matchingSql(sql, page)
  const exprs = keys.map((k) => sortExpr(kind, k.property, page.criteria))
  const after = page.after ? `and ${keysetSql(sql, exprs, keys, page.after)}` : ''
  const text = `${base.select}, ${exprs.map((e, i) => `(${e})::text as s${i}`).join(', ')}
    ${base.from} ${after}
    order by ${keys.map((k, i) => `${exprs[i]} ${k.descending ? 'desc' : 'asc'}`).join(', ')}
    limit ${Math.floor(page.limit) + 1}`
  const rows = await planned(db, page.criteria, (q) =>
    q.query<Record<string, string | null>>(text, sql.params),
  )
  return rows.map((r) => ({
    kind: r.kind as FoundRow['kind'],
    key: String(r.key),
    sortValues: keys.map((_, i) => r[`s${i}`] ?? null),
  }))
}

/**
 * How many objects the search finds in all, counted up to `cap`: undefined past it. A count reads
 * every match; past the cap that is a scan of the registry, not worth any one query.
 */
export async function countMatches(
  db: Db,
  page: SearchPage,
  cap: number,
): Promise<number | undefined> {
  const sql = new Sql()
  const base = matchingSql(sql, page)
  const [row] = await planned(db, page.criteria, (q) =>
    q.query<{ n: string | number }>(
      `select count(*) as n from (${base.select} ${base.from} limit ${Math.floor(cap) + 1}) found`,
      sql.params,
    ),
  )
  const n = Number(row?.n ?? 0)
  return n > cap ? undefined : n
}

/** the sort keys, made total by the kind's tiebreak */
function orderOf(kind: ResultKind, sort: readonly SortKey[]): readonly SortKey[] {
  const keys = sort.length ? [...sort] : [{ property: TIEBREAK[kind], descending: false }]
  if (!keys.some((k) => k.property === TIEBREAK[kind]))
    keys.push({ property: TIEBREAK[kind], descending: false })
  return keys
}

function sortExpr(kind: ResultKind, property: string, c: Criteria): string {
  // by name server: the pairs' index holds the names in order
  if (property === 'name' && c.kind === 'domains' && c.by === 'nsLdhName')
    return 'n.ldh_name collate "C"'
  const expr = (SORTS[kind] as Readonly<Record<string, string>>)[property]
  if (!expr) throw new Error(`no sort ${property} for ${kind}`)
  return expr
}

/** rows after the cursor's: a row comparison when all keys run one way (an index range), else OR */
function keysetSql(
  sql: Sql,
  exprs: readonly string[],
  keys: readonly SortKey[],
  after: readonly (string | null)[],
): string {
  if (after.length !== keys.length) throw new Error('the cursor does not fit the sort')
  const casts = exprs.map((e) => (e.includes('collate') ? ' collate "C"' : '::timestamptz'))
  const values = after.map((v, i) =>
    casts[i]!.startsWith('::') ? sql.param(v, casts[i]) : `${sql.param(v)}${casts[i]}`,
  )
  if (keys.every((k) => k.descending === keys[0]!.descending)) {
    const op = keys[0]!.descending ? '<' : '>'
    return `(${exprs.join(', ')}) ${op} (${values.join(', ')})`
  }
  const ors = keys.map((k, i) => {
    const equal = exprs.slice(0, i).map((e, j) => `${e} = ${values[j]}`)
    return `(${[...equal, `${exprs[i]} ${k.descending ? '<' : '>'} ${values[i]}`].join(' and ')})`
  })
  return `(${ors.join(' or ')})`
}

/** the select list and the from/where of a search, without order or keyset */
function matchingSql(sql: Sql, page: SearchPage): { select: string; from: string } {
  const c = page.criteria
  const rules = page.rules
  switch (c.kind) {
    case 'domains': {
      const select = `select 'domain' as kind, d.ldh_name as key`
      // parameters are numbered as they are written: each piece is built where it is used
      const visible = () => rulesSql(sql, rules('domain'), undefined, 'd.registrar_iana_id')
      if (c.by === 'nsIp') {
        // a name server of the registry with the address, or glue given with the domain
        const column = c.ip.family === 4 ? 'ipv4' : 'ipv6'
        const address = sql.param(c.ip.address)
        const hostVisible = rulesSql(sql, rules('host'), undefined, 'h.registrar_iana_id')
        const glue = sql.param(JSON.stringify([{ [column]: [c.ip.address] }]), '::jsonb')
        return {
          select,
          from: `from domains d where (d.ldh_name in (select n.ldh_name from domain_nameservers n
                   where n.ns_name = any(array(select h.ldh_name from hosts h
                     where h.${column} @> array[${address}]::text[] and ${hostVisible})))
                  or d.host_attrs @> ${glue}) and ${visible()}`,
        }
      }
      if (c.by === 'name')
        return { select, from: `from domains d where ${nameMatch(sql, 'd', c.name)}` }
      // the (name server, domain) pairs, in domain name order: an exact name server is a range of
      // their primary key; a pattern, the matching names of the registry's hosts
      const servers = c.name.exact
        ? `n.ns_name = ${sql.param(unlike(c.name.like))}`
        : `n.ns_name = any(array(select h.ldh_name from hosts h where ${nameMatch(sql, 'h', c.name)}))`
      // the domain itself only where a rule needs its sponsor or a sort its dates
      const shown = visible()
      return {
        select: `select 'domain' as kind, n.ldh_name as key`,
        from:
          shown === 'true' && page.sort.every((k) => k.property === 'name')
            ? `from domain_nameservers n where ${servers}`
            : `from domain_nameservers n join domains d on d.ldh_name = n.ldh_name
                where ${servers} and ${shown}`,
      }
    }
    case 'nameservers': {
      const select = `select 'host' as kind, h.ldh_name as key`
      if (c.by === 'name')
        return { select, from: `from hosts h where ${nameMatch(sql, 'h', c.name)}` }
      const column = c.ip.family === 4 ? 'ipv4' : 'ipv6'
      const visible = rulesSql(sql, rules('host'), undefined, 'h.registrar_iana_id')
      return {
        select,
        from: `from hosts h where h.${column} @> array[${sql.param(c.ip.address)}]::text[] and ${visible}`,
      }
    }
    case 'entities': {
      const select = 'select e.kind, e.key'
      const registrars =
        c.by === 'fn'
          ? textMatch(sql, 'lower(r.name)', c.text)
          : `(${textMatch(sql, 'r.iana_id::text', c.text)} or ${textMatch(sql, 'upper(r.handle)', c.text)})`
      const contacts = textMatch(sql, c.by === 'fn' ? 'lower(c.name)' : 'c.roid', c.text)
      return {
        select,
        from: `from (
          select 'registrar' as kind, r.iana_id::text as key, r.iana_id::text as handle from registrars r
           where ${registrars} and ${rulesSql(sql, rules('registrar'), undefined, 'r.iana_id')}
          union all
          select 'contact', c.roid, c.roid from contacts c
           where ${contacts} and ${rulesSql(sql, rules('contact'), 'c', 'c.registrar_iana_id')}
        ) e where true`,
      }
    }
    case 'reverse': {
      const column = { fn: 'lower(c.name)', handle: 'c.roid', email: 'lower(c.email)' }[c.by]
      const roles = c.role
        ? [c.role]
        : (['registrant', 'administrative', 'technical', 'billing'] as const)
      const byRole = roles.map(
        (role) => `select x.roid from contacts c join domains x on x.${ROLE_COLUMNS[role]} = c.roid
          where ${textMatch(sql, column, c.text)} and ${rulesSql(sql, rules(role), 'c', 'x.registrar_iana_id')}`,
      )
      return {
        select: `select 'domain' as kind, d.ldh_name as key`,
        from: `from domains d where d.roid in (${byRole.join(' union all ')})`,
      }
    }
  }
}

const ROLE_COLUMNS: Readonly<Record<ContactRole, string>> = {
  registrant: 'registrant_roid',
  administrative: 'admin_roid',
  technical: 'tech_roid',
  billing: 'billing_roid',
}

/** a name pattern on `alias`'s names: equality, or LIKE in "C" order (a range of the C index) */
function nameMatch(sql: Sql, alias: string, p: NamePattern): string {
  return textMatch(sql, p.column === 'ldh' ? `${alias}.ldh_name` : `${alias}.unicode_name`, p)
}

/**
 * `column` against a pattern: equality, or LIKE with the range its literal prefix spans, written out
 * so that a plan made once for any value (the pool's generic plans) still reads only that range of
 * the column's "C" index.
 */
function textMatch(sql: Sql, column: string, p: Pattern): string {
  if (p.exact) return `${column} = ${sql.param(unlike(p.like))}`
  const like = `${column} collate "C" like ${sql.param(p.like)}`
  const prefix = literalPrefix(p.like)
  const next = prefix && prefixEnd(prefix)
  if (!prefix || !next) return like
  return `${column} collate "C" >= ${sql.param(prefix)} and ${column} collate "C" < ${sql.param(next)} and ${like}`
}

/** the first string after every one that starts with `prefix` (none near the surrogates) */
export function prefixEnd(prefix: string): string | undefined {
  const chars = [...prefix]
  const last = chars.pop()?.codePointAt(0)
  if (last === undefined || last >= 0xd7ff) return undefined
  return chars.join('') + String.fromCodePoint(last + 1)
}

/** the characters a LIKE pattern starts with before its first wildcard, unescaped */
function literalPrefix(like: string): string {
  let out = ''
  for (let i = 0; i < like.length; i++) {
    const ch = like[i]!
    if (ch === '%' || ch === '_') break
    if (ch === '\\') i++
    out += like[i] ?? ''
  }
  return out
}

/** a pattern with no literal prefix: only a plan made for its value can choose the trigram index */
const needsCustomPlan = (c: Criteria): boolean => {
  const p = 'name' in c ? c.name : 'text' in c ? c.text : undefined
  return p !== undefined && !p.exact && literalPrefix(p.like) === ''
}

const unlike = (like: string): string => like.replace(/\\(.)/g, '$1')

/** every rule, for the contact `c` (if any) of a row sponsored by `sponsor` */
function rulesSql(sql: Sql, rules: MatchRules, c: string | undefined, sponsor: string): string {
  if (!rules.length) return 'true'
  return rules.map((m) => matchableSql(sql, m, c, sponsor)).join(' and ')
}

function matchableSql(sql: Sql, m: Matchable, c: string | undefined, sponsor: string): string {
  const other = ruleSql(sql, m.other, c)
  if (!m.own) return other
  const own = ruleSql(sql, m.own.rule, c)
  if (own === other) return other
  return `(case when ${sponsor} = ${sql.param(m.own.registrarId, '::int')} then ${own} else ${other} end)`
}

/** the conditions of conditions.ts, in SQL; false for what needs a contact there is none of */
function ruleSql(sql: Sql, rule: ContactTest, c: string | undefined): string {
  if (rule.always) return 'true'
  if (!c) return 'false'
  const any: string[] = []
  if (rule.consented) any.push(`${c}.consent @> array[${sql.param(rule.consented)}]::text[]`)
  if (rule.legalPerson) any.push(`${c}.person_kind = 'legal'`)
  if (rule.outsideCountries)
    any.push(
      `(upper(${c}.country_code) ~ '^[A-Z]{2}$' and not (upper(${c}.country_code) = any(${sql.param([...rule.outsideCountries], '::text[]')})))`,
    )
  return any.length ? `(${any.join(' or ')})` : 'false'
}

/**
 * Runs a search's query: as it is (searches have a pool of their own, with their own statement
 * timeout), or, for a pattern with no literal prefix, in a transaction that plans it for its value:
 * the pool plans statements once (generic plans), and a generic plan of `like $1` cannot know
 * whether the trigram index or a walk in name order is the cheaper.
 */
async function planned<T>(db: Db, c: Criteria, fn: (q: Queryable) => Promise<T>): Promise<T> {
  if (!needsCustomPlan(c)) return fn(db)
  return db.transaction(async (tx) => {
    await tx.query(`select set_config('plan_cache_mode', 'force_custom_plan', true)`, [])
    return fn(tx)
  })
}
