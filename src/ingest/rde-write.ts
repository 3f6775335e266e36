import type { Writable } from 'node:stream'
import { once } from 'node:events'
import type { Db, Queryable } from '../storage/db.js'
import { OBJECT_URIS, type ObjectKind } from './objects.js'
import { RDDS_NS } from './rde-read.js'

// The registry as one RFC 9022 FULL deposit, written as it is read: a page of rows at a time, in
// one repeatable-read transaction so the deposit is one moment of the registry.

const PAGE = 1000

const escape = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
const el = (name: string, value: unknown, attrs = ''): string =>
  value === null || value === undefined || value === ''
    ? ''
    : `<${name}${attrs}>${escape(String(value))}</${name}>`
const iso = (t: unknown): string | null => (t ? new Date(String(t)).toISOString() : null)

const NAMESPACES = {
  rde: 'urn:ietf:params:xml:ns:rde-1.0',
  rdeHeader: 'urn:ietf:params:xml:ns:rdeHeader-1.0',
  rdeDomain: OBJECT_URIS.domain,
  rdeHost: OBJECT_URIS.host,
  rdeContact: OBJECT_URIS.contact,
  rdeRegistrar: OBJECT_URIS.registrar,
  rdeIDN: OBJECT_URIS.idnTable,
  rdeNNDN: OBJECT_URIS.nndn,
  domain: 'urn:ietf:params:xml:ns:domain-1.0',
  contact: 'urn:ietf:params:xml:ns:contact-1.0',
  secDNS: 'urn:ietf:params:xml:ns:secDNS-1.1',
  rdds: RDDS_NS,
}

type Row = Record<string, unknown>
const texts = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [])

export interface ExportSummary {
  readonly depositId: string
  readonly tlds: string[]
  readonly objects: Record<ObjectKind, number>
}

/** writes the registry to `out` as a FULL deposit; resolves when the last byte is written */
export async function exportDeposit(
  db: Db,
  out: Writable,
  onProgress?: (objects: number) => void,
): Promise<ExportSummary> {
  return db.transaction(async (tx) => {
    await tx.query('set transaction isolation level repeatable read, read only')
    const [now] = await tx.query<{ at: string }>(
      `select to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at`,
    )
    const watermark = now!.at
    const depositId = watermark.replace(/\D/g, '').slice(0, 14)
    const tlds = (await tx.query<{ ldh_name: string }>('select ldh_name from tlds order by 1')).map(
      (t) => t.ldh_name,
    )
    const [counts] = await tx.query<Record<ObjectKind, number>>(
      `select (select count(*) from domains)::int as domain, (select count(*) from hosts)::int as host,
              (select count(*) from contacts)::int as contact, (select count(*) from registrars)::int as registrar,
              (select count(*) from idn_tables)::int as "idnTable", (select count(*) from nndns)::int as nndn`,
    )
    let written = 0
    // a reader that goes away (a killed CLI) ends the export: its snapshot is not held open
    const write = async (text: string) => {
      if (!out.destroyed && !out.write(text))
        await Promise.race([once(out, 'drain'), once(out, 'close')])
      if (out.destroyed) throw new Error('the export was closed before it was written whole')
    }
    const progress = (n: number) => onProgress?.((written += n))

    await write(
      `<?xml version="1.0" encoding="UTF-8"?>\n<rde:deposit type="FULL" id="${depositId}" ${Object.entries(
        NAMESPACES,
      )
        .map(([p, uri]) => `xmlns:${p}="${uri}"`)
        .join(
          ' ',
        )}>\n<rde:watermark>${watermark}</rde:watermark>\n<rde:rdeMenu><rde:version>1.0</rde:version>${[
        NAMESPACES.rdeHeader,
        ...Object.values(OBJECT_URIS),
      ]
        .map((u) => `<rde:objURI>${u}</rde:objURI>`)
        .join('')}</rde:rdeMenu>\n<rde:contents>\n<rdeHeader:header>${tlds
        .map((t) => el('rdeHeader:tld', t))
        .join('')}${(Object.keys(OBJECT_URIS) as ObjectKind[])
        .map((k) => `<rdeHeader:count uri="${OBJECT_URIS[k]}">${counts![k]}</rdeHeader:count>`)
        .join('')}</rdeHeader:header>\n`,
    )

    for (const [sql, render] of PAGES) {
      await eachPage(tx, sql, async (rows) => {
        await write(rows.map(render).join(''))
        progress(rows.length)
      })
    }
    await write('</rde:contents>\n</rde:deposit>\n')
    return { depositId, tlds, objects: counts! }
  })
}

/**
 * Every row of `sql` (ordered by its key `k`, which it compares with $1), a page at a time. The page
 * size is in the text, not a parameter: the generic plan of a prepared statement that does not know
 * its limit sorted the whole table for each page (7 minutes for a million domains).
 */
async function eachPage(tx: Queryable, sql: string, fn: (rows: Row[]) => Promise<void>) {
  let after = ''
  for (;;) {
    const rows = await tx.query<{ k: string; doc: Row }>(sql, [after])
    if (rows.length === 0) return
    await fn(rows.map((r) => r.doc))
    after = rows[rows.length - 1]!.k
    if (rows.length < PAGE) return
  }
}

const address = (prefix: string, r: Row) =>
  `<${prefix}:addr>${texts(r.street)
    .map((s) => el(`${prefix}:street`, s))
    .join(
      '',
    )}${el(`${prefix}:city`, r.city)}${el(`${prefix}:sp`, r.state_province)}${el(`${prefix}:pc`, r.postal_code)}${el(`${prefix}:cc`, r.country_code)}</${prefix}:addr>`
const phone = (name: string, number: unknown, x: unknown) =>
  el(name, number, x ? ` x="${escape(String(x))}"` : '')
const statuses = (prefix: string, v: unknown) =>
  texts(v)
    .map((s) => `<${prefix}:status s="${escape(s)}"/>`)
    .join('')

const REGISTRAR_STATUS: Record<string, string> = {
  active: 'ok',
  suspended: 'readonly',
  terminated: 'terminated',
}

function registrarXml(r: Row): string {
  const extra =
    r.abuse_email || r.abuse_phone || r.rdap_base_url
      ? `<rdds:registrar id="${escape(String(r.handle))}"${attr('abuseEmail', r.abuse_email)}${attr('abuseVoice', r.abuse_phone)}${attr('rdapBaseUrl', r.rdap_base_url)}/>\n`
      : ''
  const hasAddress = texts(r.street).length > 0 || r.city || r.country_code
  return `<rdeRegistrar:registrar>${el('rdeRegistrar:id', r.handle)}${el('rdeRegistrar:name', r.name)}${el('rdeRegistrar:gurid', r.iana_id)}${el('rdeRegistrar:status', REGISTRAR_STATUS[String(r.status)])}${
    hasAddress
      ? `<rdeRegistrar:postalInfo type="int">${address('rdeRegistrar', r)}</rdeRegistrar:postalInfo>`
      : ''
  }${phone('rdeRegistrar:voice', r.phone, null)}${phone('rdeRegistrar:fax', r.fax, null)}${el('rdeRegistrar:email', r.email)}${el('rdeRegistrar:url', r.url)}${
    r.whois_server
      ? `<rdeRegistrar:whoisInfo>${el('rdeRegistrar:name', r.whois_server)}</rdeRegistrar:whoisInfo>`
      : ''
  }${el('rdeRegistrar:crDate', iso(r.created_at))}${el('rdeRegistrar:upDate', iso(r.updated_at))}</rdeRegistrar:registrar>\n${extra}`
}

const attr = (name: string, v: unknown) => (v ? ` ${name}="${escape(String(v))}"` : '')

/** consent to publish -> RFC 5733 disclose flag="1" with the elements it covers */
const DISCLOSE: Record<string, string> = {
  name: '<contact:name type="int"/>',
  organization: '<contact:org type="int"/>',
  address: '<contact:addr type="int"/>',
  phone: '<contact:voice/><contact:fax/>',
  email: '<contact:email/>',
}

function contactXml(c: Row): string {
  const consent = texts(c.consent)
  const loc = c.postal_loc as {
    name?: string
    org?: string
    addr?: Row & { sp?: string; pc?: string; cc?: string }
  } | null
  const locXml = loc
    ? `<rdeContact:postalInfo type="loc">${el('contact:name', loc.name)}${el('contact:org', loc.org)}${
        loc.addr
          ? address('contact', {
              street: loc.addr.street,
              city: loc.addr.city,
              state_province: loc.addr.sp,
              postal_code: loc.addr.pc,
              country_code: loc.addr.cc,
            })
          : ''
      }</rdeContact:postalInfo>`
    : ''
  const extra =
    c.person_kind !== 'natural' || c.consent_at
      ? `<rdds:contact id="${escape(String(c.handle))}"${attr('personKind', c.person_kind !== 'natural' ? c.person_kind : null)}${attr('consentAt', iso(c.consent_at))}/>\n`
      : ''
  return `<rdeContact:contact>${el('rdeContact:id', c.handle)}${el('rdeContact:roid', c.roid)}${statuses('rdeContact', c.statuses)}<rdeContact:postalInfo type="int">${el('contact:name', c.name)}${el('contact:org', c.organization)}${address('contact', c)}</rdeContact:postalInfo>${locXml}${phone('rdeContact:voice', c.phone, c.phone_ext)}${phone('rdeContact:fax', c.fax, c.fax_ext)}${el('rdeContact:email', c.email)}${el('rdeContact:clID', c.clid)}${el('rdeContact:crDate', iso(c.created_at))}${el('rdeContact:upDate', iso(c.updated_at))}${
    consent.length
      ? `<rdeContact:disclose flag="1">${consent.map((g) => DISCLOSE[g] ?? '').join('')}</rdeContact:disclose>`
      : ''
  }</rdeContact:contact>\n${extra}`
}

function hostXml(h: Row): string {
  return `<rdeHost:host>${el('rdeHost:name', h.ldh_name)}${el('rdeHost:roid', h.roid)}${statuses('rdeHost', h.statuses)}${texts(
    h.ipv4,
  )
    .map((a) => el('rdeHost:addr', a, ' ip="v4"'))
    .join('')}${texts(h.ipv6)
    .map((a) => el('rdeHost:addr', a, ' ip="v6"'))
    .join(
      '',
    )}${el('rdeHost:clID', h.clid)}${el('rdeHost:crDate', iso(h.created_at))}${el('rdeHost:upDate', iso(h.updated_at))}</rdeHost:host>\n`
}

function domainXml(d: Row): string {
  const attrs = (d.host_attrs as { name: string; ipv4: string[]; ipv6: string[] }[]) ?? []
  const attrNames = new Set(attrs.map((a) => a.name))
  const objects = new Set(texts(d.host_objs))
  const ns = texts(d.nameservers)
    .map((n) => {
      if (objects.has(n) && !attrNames.has(n)) return el('domain:hostObj', n)
      const a = attrs.find((x) => x.name === n)
      return `<domain:hostAttr>${el('domain:hostName', n)}${[
        ...(a?.ipv4 ?? []).map((ip) => el('domain:hostAddr', ip, ' ip="v4"')),
        ...(a?.ipv6 ?? []).map((ip) => el('domain:hostAddr', ip, ' ip="v6"')),
      ].join('')}</domain:hostAttr>`
    })
    .join('')
  const ds = (d.ds_data as Row[]) ?? []
  const keys = (d.key_data as Row[]) ?? []
  const secDns =
    ds.length || keys.length
      ? `<rdeDomain:secDNS>${ds
          .map(
            (r) =>
              `<secDNS:dsData>${el('secDNS:keyTag', r.keyTag)}${el('secDNS:alg', r.algorithm)}${el('secDNS:digestType', r.digestType)}${el('secDNS:digest', r.digest)}</secDNS:dsData>`,
          )
          .join('')}${keys
          .map(
            (k) =>
              `<secDNS:keyData>${el('secDNS:flags', k.flags)}${el('secDNS:protocol', k.protocol)}${el('secDNS:alg', k.algorithm)}${el('secDNS:pubKey', k.publicKey)}</secDNS:keyData>`,
          )
          .join('')}</rdeDomain:secDNS>`
      : ''
  const contact = (type: string, id: unknown) => el('rdeDomain:contact', id, ` type="${type}"`)
  return `<rdeDomain:domain>${el('rdeDomain:name', d.ldh_name)}${el('rdeDomain:roid', d.roid)}${el('rdeDomain:uName', d.unicode_name)}${el('rdeDomain:idnTableId', d.idn_table_id)}${statuses('rdeDomain', d.statuses)}${el('rdeDomain:registrant', d.registrant)}${contact('admin', d.admin)}${contact('tech', d.tech)}${contact('billing', d.billing)}${
    ns ? `<rdeDomain:ns>${ns}</rdeDomain:ns>` : ''
  }${el('rdeDomain:clID', d.clid)}${el('rdeDomain:crDate', iso(d.created_at))}${el('rdeDomain:exDate', iso(d.expires_at))}${el('rdeDomain:upDate', iso(d.updated_at))}${el('rdeDomain:trDate', iso(d.transferred_at))}${secDns}</rdeDomain:domain>\n`
}

function idnTableXml(t: Row): string {
  return `<rdeIDN:idnTableRef id="${escape(String(t.id))}">${el('rdeIDN:url', t.url)}${el('rdeIDN:urlPolicy', t.url_policy)}</rdeIDN:idnTableRef>\n`
}

function nndnXml(n: Row): string {
  return `<rdeNNDN:NNDN>${el('rdeNNDN:aName', n.a_name)}${el('rdeNNDN:uName', n.u_name)}${el('rdeNNDN:idnTableId', n.idn_table_id)}${el('rdeNNDN:originalName', n.original_name)}${el('rdeNNDN:nameState', n.name_state)}${
    texts(n.mirroring_ns).length
      ? `<rdeNNDN:mirroringNS>${texts(n.mirroring_ns)
          .map((h) => el('domain:hostObj', h))
          .join('')}</rdeNNDN:mirroringNS>`
      : ''
  }${el('rdeNNDN:crDate', iso(n.created_at))}</rdeNNDN:NNDN>\n`
}

const handleOf = (column: string) => `(select c.handle from contacts c where c.roid = d.${column})`
const PAGES: [string, (r: Row) => string][] = [
  [
    `select handle as k, row_to_json(r) as doc from registrars r where handle > $1 order by handle limit ${PAGE}`,
    registrarXml,
  ],
  [
    `select c.handle as k, to_jsonb(c) || jsonb_build_object('clid', g.handle) as doc
       from contacts c join registrars g on g.iana_id = c.registrar_iana_id
      where c.handle > $1 order by c.handle limit ${PAGE}`,
    contactXml,
  ],
  [
    `select h.ldh_name as k, to_jsonb(h) || jsonb_build_object('clid', g.handle) as doc
       from hosts h join registrars g on g.iana_id = h.registrar_iana_id
      where h.ldh_name > $1 order by h.ldh_name limit ${PAGE}`,
    hostXml,
  ],
  [
    `select d.ldh_name as k, to_jsonb(d) || jsonb_build_object(
              'clid', g.handle, 'registrant', ${handleOf('registrant_roid')}, 'admin', ${handleOf('admin_roid')},
              'tech', ${handleOf('tech_roid')}, 'billing', ${handleOf('billing_roid')},
              'host_objs', array(select n from unnest(d.nameservers) n
                                  where exists (select 1 from hosts h where h.ldh_name = n))) as doc
       from domains d join registrars g on g.iana_id = d.registrar_iana_id
      where d.ldh_name > $1 order by d.ldh_name limit ${PAGE}`,
    domainXml,
  ],
  [
    `select id as k, row_to_json(t) as doc from idn_tables t where id > $1 order by id limit ${PAGE}`,
    idnTableXml,
  ],
  [
    `select a_name as k, row_to_json(n) as doc from nndns n where a_name > $1 order by a_name limit ${PAGE}`,
    nndnXml,
  ],
]
