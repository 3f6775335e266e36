import { z } from 'zod'
import type { Contact, Registrar } from '../domain/registration.js'
import { CONSENT_GROUPS } from '../domain/registration.js'

// Every finder reads rows as JSON documents (row_to_json, json_build_object), so both drivers hand
// over the same JSON values: timestamps as ISO strings, integers as numbers, every column present.
// The schemas only check them; the mapping to domain types is plain code below, three times cheaper
// than coercions and transforms inside the schema.
const text = z.string().nullable()
const texts = z.array(z.string()).nullable()
const timestamp = z.iso.datetime({ offset: true })
const optionalTimestamp = timestamp.nullable()
const addressColumns = {
  street: texts,
  city: text,
  state_province: text,
  postal_code: text,
  country_code: text,
}

export const RegistrarRow = z.object({
  iana_id: z.number().int(),
  handle: z.string(),
  name: z.string(),
  url: text,
  whois_server: text,
  rdap_base_url: text,
  abuse_email: text,
  abuse_phone: text,
  ...addressColumns,
  phone: text,
  email: text,
  status: z.enum(['active', 'suspended', 'terminated']),
  created_at: timestamp,
  updated_at: optionalTimestamp,
})

export const ContactRow = z.object({
  roid: z.string(),
  name: text,
  organization: text,
  ...addressColumns,
  phone: text,
  phone_ext: text,
  fax: text,
  fax_ext: text,
  email: text,
  person_kind: z.enum(['natural', 'legal']),
  consent: z.array(z.enum(CONSENT_GROUPS)),
  registrar_iana_id: z.number().int(),
  created_at: timestamp,
  updated_at: optionalTimestamp,
})

export const optionalDate = (iso: string | null): Date | null =>
  iso === null ? null : new Date(iso)

export function toRegistrar(r: z.infer<typeof RegistrarRow>): Registrar {
  return {
    ianaId: r.iana_id,
    handle: r.handle,
    name: r.name,
    url: r.url,
    whoisServer: r.whois_server,
    rdapBaseUrl: r.rdap_base_url,
    abuseEmail: r.abuse_email,
    abusePhone: r.abuse_phone,
    street: r.street ?? [],
    city: r.city,
    stateProvince: r.state_province,
    postalCode: r.postal_code,
    countryCode: r.country_code,
    phone: r.phone,
    email: r.email,
    status: r.status,
    created: new Date(r.created_at),
    updated: optionalDate(r.updated_at),
  }
}

export function toContact(c: z.infer<typeof ContactRow>): Contact {
  return {
    roid: c.roid,
    name: c.name,
    organization: c.organization,
    street: c.street ?? [],
    city: c.city,
    stateProvince: c.state_province,
    postalCode: c.postal_code,
    countryCode: c.country_code,
    phone: c.phone,
    phoneExt: c.phone_ext,
    fax: c.fax,
    faxExt: c.fax_ext,
    email: c.email,
    personKind: c.person_kind,
    consent: c.consent,
    registrarIanaId: c.registrar_iana_id,
    created: new Date(c.created_at),
    updated: optionalDate(c.updated_at),
  }
}

export const DsRecord = z.object({
  keyTag: z.number().int(),
  algorithm: z.number().int(),
  digestType: z.number().int(),
  digest: z.string(),
})
export const DnsKey = z.object({
  flags: z.number().int(),
  protocol: z.number().int(),
  algorithm: z.number().int(),
  publicKey: z.string(),
})

export const DomainRow = z.object({
  roid: z.string(),
  ldh_name: z.string(),
  unicode_name: text,
  statuses: z.array(z.string()),
  created_at: timestamp,
  updated_at: optionalTimestamp,
  expires_at: timestamp,
  transferred_at: optionalTimestamp,
  nameservers: texts,
  host_attrs: z.array(
    z.object({ name: z.string(), ipv4: z.array(z.string()), ipv6: z.array(z.string()) }),
  ),
  delegation_signed: z.boolean(),
  ds_data: z.array(DsRecord),
  key_data: z.array(DnsKey),
  registrant_roid: text,
  admin_roid: text,
  tech_roid: text,
  billing_roid: text,
  registrar: RegistrarRow,
  contacts: z.array(ContactRow).nullable(),
})

export const HostRow = z.object({
  roid: z.string(),
  ldh_name: z.string(),
  unicode_name: text,
  ipv4: texts,
  ipv6: texts,
  statuses: z.array(z.string()),
  created_at: timestamp,
  updated_at: optionalTimestamp,
})
export const HostDoc = z.object({ host: HostRow, registrar: RegistrarRow })
