import { z } from 'zod'

// The registry's objects as RFC 9022 deposits carry them (RFC 5731-5733 element names), for both
// doors: the deposit reader builds these from XML, the ingest API receives them as JSON.

const text = z.string().trim().min(1)
const optionalText = text.optional()
const dateTime = z.iso.datetime({ offset: true })
const ipVersion = z.enum(['v4', 'v6'])

/** a telephone number with its extension (RFC 5733 §2.5: the x attribute) */
export const Phone = z.strictObject({ number: text, x: optionalText })

export const Address = z.strictObject({
  street: z.array(text).max(3).default([]),
  city: optionalText,
  sp: optionalText,
  pc: optionalText,
  cc: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'a two-letter country code')
    .transform((c) => c.toUpperCase())
    .optional(),
})

export const ContactPostalInfo = z.strictObject({
  type: z.enum(['int', 'loc']),
  name: optionalText,
  org: optionalText,
  addr: Address.optional(),
})

/** RFC 5733 §2.9 disclose: with flag 1, the listed elements may be published */
export const DISCLOSE_ELEMENTS = ['name', 'org', 'addr', 'voice', 'fax', 'email'] as const
export const Disclose = z.strictObject({
  flag: z.union([z.literal(0), z.literal(1)]),
  elements: z.array(z.enum(DISCLOSE_ELEMENTS)),
})

export const DepositContact = z.strictObject({
  id: text.max(64),
  roid: text.max(89),
  status: z.array(text).default([]),
  postalInfo: z.array(ContactPostalInfo).min(1).max(2),
  voice: Phone.optional(),
  fax: Phone.optional(),
  email: optionalText,
  clID: text,
  crDate: dateTime,
  upDate: dateTime.optional(),
  disclose: z.array(Disclose).default([]),
  /** not in EPP: whether the contact is a legal person (this server's deposit extension) */
  personKind: z.enum(['natural', 'legal']).optional(),
  /** not in EPP: when the contact consented to publish (this server's deposit extension) */
  consentAt: dateTime.optional(),
})

export const HostAddr = z.strictObject({ ip: ipVersion, address: text })

export const DepositHost = z.strictObject({
  name: text,
  roid: text.max(89),
  status: z.array(text).default([]),
  addr: z.array(HostAddr).default([]),
  clID: text,
  crDate: dateTime,
  upDate: dateTime.optional(),
})

export const DsData = z.strictObject({
  keyTag: z.number().int().min(0).max(65535),
  alg: z.number().int().min(0).max(255),
  digestType: z.number().int().min(0).max(255),
  digest: z.string().regex(/^[0-9A-Fa-f]+$/, 'hexadecimal'),
})
export const KeyData = z.strictObject({
  flags: z.number().int().min(0).max(65535),
  protocol: z.number().int().min(0).max(255),
  alg: z.number().int().min(0).max(255),
  pubKey: z.string().regex(/^[A-Za-z0-9+/=]+$/, 'base64'),
})

export const CONTACT_TYPES = ['admin', 'tech', 'billing'] as const

export const DepositDomain = z.strictObject({
  name: text,
  roid: text.max(89),
  uName: optionalText,
  idnTableId: optionalText,
  status: z.array(text).default([]),
  registrant: optionalText,
  contact: z.array(z.strictObject({ type: z.enum(CONTACT_TYPES), id: text })).default([]),
  ns: z
    .strictObject({
      hostObj: z.array(text).default([]),
      hostAttr: z
        .array(z.strictObject({ hostName: text, hostAddr: z.array(HostAddr).default([]) }))
        .default([]),
    })
    .default({ hostObj: [], hostAttr: [] }),
  clID: text,
  crDate: dateTime,
  exDate: dateTime,
  upDate: dateTime.optional(),
  trDate: dateTime.optional(),
  secDNS: z
    .strictObject({ dsData: z.array(DsData).default([]), keyData: z.array(KeyData).default([]) })
    .optional(),
})

export const RegistrarPostalInfo = z.strictObject({
  type: z.enum(['int', 'loc']),
  addr: Address,
})

export const DepositRegistrar = z.strictObject({
  id: text.max(64),
  name: text,
  /** the IANA registrar id (RFC 9022 §5.4); the registry's key for the registrar */
  gurid: z.number().int().positive().max(2147483647),
  status: z.enum(['ok', 'readonly', 'terminated']).default('ok'),
  postalInfo: z.array(RegistrarPostalInfo).max(2).default([]),
  voice: Phone.optional(),
  fax: Phone.optional(),
  email: optionalText,
  url: optionalText,
  whoisInfo: z.strictObject({ name: optionalText, url: optionalText }).optional(),
  crDate: dateTime,
  upDate: dateTime.optional(),
  /** not in RFC 9022: the abuse contact and RDAP base URL (this server's deposit extension) */
  abuse: z.strictObject({ email: optionalText, voice: optionalText }).optional(),
  rdapBaseUrl: optionalText,
})

export const IdnTableRef = z.strictObject({ id: text, url: text, urlPolicy: optionalText })

export const Nndn = z.strictObject({
  aName: text,
  uName: optionalText,
  idnTableId: optionalText,
  originalName: optionalText,
  nameState: z.enum(['blocked', 'withheld', 'mirrored']),
  mirroringNS: z.array(text).default([]),
  crDate: dateTime.optional(),
})

export type DepositContact = z.infer<typeof DepositContact>
export type DepositHost = z.infer<typeof DepositHost>
export type DepositDomain = z.infer<typeof DepositDomain>
export type DepositRegistrar = z.infer<typeof DepositRegistrar>
export type IdnTableRef = z.infer<typeof IdnTableRef>
export type Nndn = z.infer<typeof Nndn>

/** every kind of object a deposit holds, by the name the header counts it under */
export const OBJECT_SCHEMAS = {
  registrar: DepositRegistrar,
  contact: DepositContact,
  host: DepositHost,
  domain: DepositDomain,
  idnTable: IdnTableRef,
  nndn: Nndn,
} as const
export type ObjectKind = keyof typeof OBJECT_SCHEMAS
export const OBJECT_KINDS = Object.keys(OBJECT_SCHEMAS) as ObjectKind[]

/** RFC 9022 §5 object URIs, as the header's counts name them */
export const OBJECT_URIS: Record<ObjectKind, string> = {
  registrar: 'urn:ietf:params:xml:ns:rdeRegistrar-1.0',
  contact: 'urn:ietf:params:xml:ns:rdeContact-1.0',
  host: 'urn:ietf:params:xml:ns:rdeHost-1.0',
  domain: 'urn:ietf:params:xml:ns:rdeDomain-1.0',
  idnTable: 'urn:ietf:params:xml:ns:rdeIDNTable-1.0',
  nndn: 'urn:ietf:params:xml:ns:rdeNNDN-1.0',
}
