import type { ConsentGroup, Contact, ContactRole } from '../domain/registration.js'
import { CONTACT_ROLES } from '../domain/registration.js'

/** RFC 9537 §3 methods a policy may choose for a withheld field */
export const METHODS = ['removal', 'emptyValue', 'replacementValue'] as const
export type Method = (typeof METHODS)[number]

/** which part of a registry object a field belongs to */
export type FieldGroup = 'domain' | 'registrar' | 'host' | ContactRole

export interface FieldSpec {
  /** the name a policy uses, e.g. 'registrant.email': group, then the record's property */
  readonly path: string
  readonly group: FieldGroup
  /** the property of that part that holds the value */
  readonly key: string
  /** personal data of a natural person (GDPR Art. 4(1)); disclosures of these are audited */
  readonly personal: boolean
  /** the consent to publish that covers it */
  readonly consent?: ConsentGroup
  /** how it may be withheld; the first is used when no rule names the field */
  readonly methods: readonly Method[]
}

const removal: readonly Method[] = ['removal']

const OBJECT_FIELDS: ReadonlyArray<readonly [FieldGroup, string]> = [
  ['domain', 'roid'],
  ['domain', 'statuses'],
  ['domain', 'created'],
  ['domain', 'updated'],
  ['domain', 'expires'],
  ['domain', 'transferred'],
  ['domain', 'nameservers'],
  ['domain', 'secureDns'],
  ['registrar', 'name'],
  ['registrar', 'url'],
  ['registrar', 'whoisServer'],
  ['registrar', 'rdapBaseUrl'],
  ['registrar', 'abuseEmail'],
  ['registrar', 'abusePhone'],
  ['registrar', 'street'],
  ['registrar', 'city'],
  ['registrar', 'stateProvince'],
  ['registrar', 'postalCode'],
  ['registrar', 'countryCode'],
  ['registrar', 'phone'],
  ['registrar', 'email'],
  ['host', 'roid'],
  ['host', 'ipv4'],
  ['host', 'ipv6'],
  ['host', 'statuses'],
  ['host', 'created'],
  ['host', 'updated'],
]

// every property of a contact that a policy decides on; the one list of them
const CONTACT_FIELDS = [
  ['roid', undefined, removal], // Registry Registrant ID and its kin
  ['name', 'name', ['emptyValue']], // the jCard fn is mandatory: emptied, never removed
  ['organization', 'organization', ['removal', 'emptyValue']],
  ['street', 'address', ['emptyValue', 'removal']],
  ['city', 'address', ['emptyValue', 'removal']],
  ['stateProvince', 'address', ['removal', 'emptyValue']],
  ['postalCode', 'address', ['emptyValue', 'removal']],
  ['countryCode', 'address', removal],
  ['phone', 'phone', removal],
  ['phoneExt', 'phone', removal],
  ['fax', 'phone', removal],
  ['faxExt', 'phone', removal],
  ['email', 'email', ['removal', 'replacementValue']],
] as const satisfies ReadonlyArray<
  readonly [keyof Contact, ConsentGroup | undefined, readonly Method[]]
>

/** the properties of a contact that the catalogue holds */
export type ContactKey = (typeof CONTACT_FIELDS)[number][0]

/**
 * The field catalogue: every disclosable field, in the order renderers list withheld fields.
 * Identity is not a field: the name queried, the registrar's IANA id and which contact roles exist
 * are part of every answer.
 */
export const FIELDS: readonly FieldSpec[] = [
  ...OBJECT_FIELDS.map(([group, key]) => ({
    path: `${group}.${key}`,
    group,
    key,
    personal: false,
    methods: removal,
  })),
  ...CONTACT_ROLES.flatMap((role) =>
    CONTACT_FIELDS.map(([key, consent, methods]): FieldSpec => ({
      path: `${role}.${key}`,
      group: role,
      key,
      personal: true,
      ...(consent ? { consent } : {}),
      methods,
    })),
  ),
]

export const FIELD_PATHS = FIELDS.map((f) => f.path) as [string, ...string[]]

export const FIELDS_BY_GROUP: ReadonlyMap<FieldGroup, readonly FieldSpec[]> = new Map(
  (['domain', 'registrar', 'host', ...CONTACT_ROLES] as const).map((g) => [
    g,
    FIELDS.filter((f) => f.group === g),
  ]),
)

const FIELDS_BY_PATH: ReadonlyMap<string, FieldSpec> = new Map(FIELDS.map((f) => [f.path, f]))

export function fieldByPath(path: string): FieldSpec | undefined {
  return FIELDS_BY_PATH.get(path)
}
