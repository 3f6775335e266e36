import { canonicalIp } from '../domain/ip.js'
import { isNameProblem, normalizeDomainName } from '../domain/names.js'
import type { ConsentGroup } from '../domain/registration.js'
import type {
  DepositContact,
  DepositDomain,
  DepositHost,
  DepositRegistrar,
  IdnTableRef,
  Nndn,
  ObjectKind,
} from './objects.js'

// Deposit objects -> rows of the registry's tables, as JSON documents that jsonb_populate_record
// reads. References stay by the deposit's identifiers (registrar id, contact id, host name) until
// the switch resolves them in SQL: the deposit may name an object before it holds it.

export type StagedRow = Record<string, unknown>

/** the canonical A-label form of a name, or an error naming it */
export function canonicalName(name: string, what: string): { ldh: string; unicode: string | null } {
  const n = normalizeDomainName(name)
  if (isNameProblem(n)) throw new Error(`${what} "${name}": ${n.problem}`)
  return { ldh: n.ldhName, unicode: n.unicodeName }
}

/** the top-level label of a canonical name */
export const tldOf = (ldhName: string): string => ldhName.slice(ldhName.lastIndexOf('.') + 1)

const REGISTRAR_STATUS = { ok: 'active', readonly: 'suspended', terminated: 'terminated' } as const

function addressColumns(
  addr: { street: string[]; city?: string; sp?: string; pc?: string; cc?: string } | undefined,
) {
  return {
    street: addr?.street ?? [],
    city: addr?.city ?? null,
    state_province: addr?.sp ?? null,
    postal_code: addr?.pc ?? null,
    country_code: addr?.cc ?? null,
  }
}

function preferInt<T extends { type: 'int' | 'loc' }>(infos: readonly T[]): T | undefined {
  return infos.find((p) => p.type === 'int') ?? infos[0]
}

export function registrarRow(r: DepositRegistrar): StagedRow {
  return {
    iana_id: r.gurid,
    handle: r.id,
    name: r.name,
    url: r.url ?? null,
    whois_server: r.whoisInfo?.name ?? null,
    rdap_base_url: r.rdapBaseUrl ?? null,
    abuse_email: r.abuse?.email ?? null,
    abuse_phone: r.abuse?.voice ?? null,
    ...addressColumns(preferInt(r.postalInfo)?.addr),
    phone: r.voice?.number ?? null,
    fax: r.fax?.number ?? null,
    email: r.email ?? null,
    status: REGISTRAR_STATUS[r.status],
    created_at: r.crDate,
    updated_at: r.upDate ?? null,
  }
}

/**
 * RFC 5733 §2.9 disclose flags -> consent to publish. Only flag="1" grants anything: the server's
 * own policy already withholds what flag="0" lists. The phone group covers voice and fax, so it is
 * granted only when both may be published (or the contact has no fax).
 */
export function consentOf(c: DepositContact): ConsentGroup[] {
  const listed = new Set(c.disclose.filter((d) => d.flag === 1).flatMap((d) => d.elements))
  const consent: ConsentGroup[] = []
  if (listed.has('name')) consent.push('name')
  if (listed.has('org')) consent.push('organization')
  if (listed.has('addr')) consent.push('address')
  if (listed.has('voice') && (listed.has('fax') || !c.fax)) consent.push('phone')
  if (listed.has('email')) consent.push('email')
  return consent
}

export function contactRow(c: DepositContact): StagedRow {
  const int = preferInt(c.postalInfo)!
  const loc = c.postalInfo.find((p) => p !== int)
  const consent = consentOf(c)
  return {
    roid: c.roid,
    handle: c.id,
    name: int.name ?? null,
    organization: int.org ?? null,
    ...addressColumns(int.addr),
    postal_loc: loc ? { name: loc.name, org: loc.org, addr: loc.addr } : null,
    phone: c.voice?.number ?? null,
    phone_ext: c.voice?.x ?? null,
    fax: c.fax?.number ?? null,
    fax_ext: c.fax?.x ?? null,
    email: c.email ?? null,
    person_kind: c.personKind ?? 'natural',
    consent,
    // when the consent was given is not in EPP: the contact's last change is the latest it can be
    consent_at: consent.length ? (c.consentAt ?? c.upDate ?? c.crDate) : null,
    statuses: c.status,
    clid: c.clID,
    created_at: c.crDate,
    updated_at: c.upDate ?? null,
  }
}

function addresses(addrs: readonly { ip: 'v4' | 'v6'; address: string }[], what: string) {
  const ipv4: string[] = []
  const ipv6: string[] = []
  for (const a of addrs) {
    // stored in one form, so that a search by address finds it however the deposit wrote it
    const ip = canonicalIp(a.address)
    if (ip?.family === 4 && a.ip === 'v4') ipv4.push(ip.address)
    else if (ip?.family === 6 && a.ip === 'v6') ipv6.push(ip.address)
    else throw new Error(`${what}: "${a.address}" is not an IP${a.ip} address`)
  }
  return { ipv4, ipv6 }
}

export function hostRow(h: DepositHost): StagedRow {
  const name = canonicalName(h.name, 'host name')
  return {
    roid: h.roid,
    ldh_name: name.ldh,
    unicode_name: name.unicode,
    ...addresses(h.addr, `host ${name.ldh}`),
    statuses: h.status.length ? h.status : ['ok'],
    clid: h.clID,
    created_at: h.crDate,
    updated_at: h.upDate ?? null,
  }
}

export function domainRow(d: DepositDomain): StagedRow {
  const name = canonicalName(d.name, 'domain name')
  const hostObjs = d.ns.hostObj.map((h) => canonicalName(h, 'name server').ldh)
  const hostAttrs = d.ns.hostAttr.map((h) => ({
    name: canonicalName(h.hostName, 'name server').ldh,
    ...addresses(h.hostAddr, `name server ${h.hostName}`),
  }))
  const role = (type: 'admin' | 'tech' | 'billing') =>
    d.contact.find((c) => c.type === type)?.id ?? null
  const ds = d.secDNS?.dsData ?? []
  const keys = d.secDNS?.keyData ?? []
  return {
    roid: d.roid,
    ldh_name: name.ldh,
    unicode_name: name.unicode,
    statuses: d.status.length ? d.status : ['ok'],
    created_at: d.crDate,
    updated_at: d.upDate ?? null,
    expires_at: d.exDate,
    transferred_at: d.trDate ?? null,
    // contact ids until the switch puts the contacts' ROIDs in their place
    registrant_roid: d.registrant ?? null,
    admin_roid: role('admin'),
    tech_roid: role('tech'),
    billing_roid: role('billing'),
    nameservers: [...new Set([...hostObjs, ...hostAttrs.map((h) => h.name)])],
    host_objs: hostObjs,
    host_attrs: hostAttrs,
    delegation_signed: ds.length > 0 || keys.length > 0,
    ds_data: ds.map((r) => ({
      keyTag: r.keyTag,
      algorithm: r.alg,
      digestType: r.digestType,
      digest: r.digest.toUpperCase(),
    })),
    key_data: keys.map((k) => ({
      flags: k.flags,
      protocol: k.protocol,
      algorithm: k.alg,
      publicKey: k.pubKey,
    })),
    idn_table_id: d.idnTableId ?? null,
    clid: d.clID,
  }
}

export function idnTableRow(t: IdnTableRef): StagedRow {
  return { id: t.id, url: t.url, url_policy: t.urlPolicy ?? null }
}

export function nndnRow(n: Nndn): StagedRow {
  const name = canonicalName(n.aName, 'NNDN')
  return {
    a_name: name.ldh,
    u_name: n.uName ?? name.unicode,
    idn_table_id: n.idnTableId ?? null,
    original_name: n.originalName ?? null,
    name_state: n.nameState,
    mirroring_ns: n.mirroringNS.map((h) => canonicalName(h, 'name server').ldh),
    created_at: n.crDate ?? null,
  }
}

const STAGED: Record<ObjectKind, { row: (object: never) => StagedRow; key: string }> = {
  registrar: { row: registrarRow, key: 'handle' },
  contact: { row: contactRow, key: 'handle' },
  host: { row: hostRow, key: 'ldh_name' },
  domain: { row: domainRow, key: 'ldh_name' },
  idnTable: { row: idnTableRow, key: 'id' },
  nndn: { row: nndnRow, key: 'a_name' },
}

/** the staged row of an object, and the key it is known by in its deposit */
export function stagedRowOf(kind: ObjectKind, object: unknown): { key: string; row: StagedRow } {
  const staged = STAGED[kind]
  const row = staged.row(object as never)
  return { key: String(row[staged.key]), row }
}

/** the key a delete names, in the form the object is stored under */
export function deleteKeyOf(kind: ObjectKind, key: string): string {
  return kind === 'domain' || kind === 'host' || kind === 'nndn'
    ? canonicalName(key, `${kind} to delete`).ldh
    : key
}
