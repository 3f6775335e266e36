import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import { z } from 'zod'
import type { Audience } from '../domain/audience.js'
import {
  CONSENT_GROUPS,
  CONTACT_ROLES,
  type Contact,
  type Domain,
  type Registrar,
} from '../domain/registration.js'
import { disclose } from './engine.js'
import { METHODS } from './fields.js'
import type { Policy } from './load.js'
import {
  maySearch,
  REVERSE_PROPERTIES,
  reverseField,
  SEARCH_PROPERTIES,
  type ReverseProperty,
} from './searchable.js'

/**
 * Policy test suites as data (policies/tests/<policy>_test.yaml, cerbos-style): small registrations,
 * an audience, and which fields must be shown and which withheld, by which method.
 */
const ContactSpec = z.strictObject({
  roid: z.string(),
  name: z.string().nullable().default(null),
  organization: z.string().nullable().default(null),
  street: z.array(z.string()).default([]),
  city: z.string().nullable().default(null),
  stateProvince: z.string().nullable().default(null),
  postalCode: z.string().nullable().default(null),
  countryCode: z.string().nullable().default(null),
  phone: z.string().nullable().default(null),
  phoneExt: z.string().nullable().default(null),
  fax: z.string().nullable().default(null),
  faxExt: z.string().nullable().default(null),
  email: z.string().nullable().default(null),
  personKind: z.enum(['natural', 'legal']).default('natural'),
  consent: z.array(z.enum(CONSENT_GROUPS)).default([]),
})

const DomainSpec = z.strictObject({
  ldhName: z.string(),
  registrant: z.string().optional(),
  administrative: z.string().optional(),
  technical: z.string().optional(),
  billing: z.string().optional(),
})

const Case = z.strictObject({
  name: z.string(),
  domain: z.string(),
  audience: z
    .string()
    .describe('may be one the policy does not declare: it must then get the public view'),
  shown: z.array(z.string()).default([]),
  withheld: z.record(z.string(), z.enum(METHODS)).default({}),
})

/** who may search by what, and whether a search finds a domain by one of its contacts */
const SearchCase = z.strictObject({
  name: z.string(),
  search: z.enum(SEARCH_PROPERTIES),
  audience: z.string(),
  allowed: z.boolean(),
  finds: z
    .strictObject({
      domain: z.string(),
      role: z.enum(CONTACT_ROLES),
      found: z.boolean(),
    })
    .optional()
    .describe('reverse.*: is the domain found by its contact in this role (the value shown)?'),
})

const Suite = z.strictObject({
  policy: z.string(),
  contacts: z.record(z.string(), ContactSpec),
  domains: z.record(z.string(), DomainSpec),
  tests: z.array(z.union([Case, SearchCase])).min(1),
})

export type PolicySuite = z.infer<typeof Suite>

export async function readSuite(file: string): Promise<PolicySuite> {
  return Suite.parse(parse(await readFile(file, 'utf8')))
}

/** the registrar behind every suite's domains */
export const SUITE_REGISTRAR: Registrar = {
  ianaId: 9999,
  handle: '9999',
  name: 'Suite Registrar',
  url: 'https://registrar.test',
  whoisServer: 'whois.registrar.test',
  rdapBaseUrl: 'https://rdap.registrar.test/',
  abuseEmail: 'abuse@registrar.test',
  abusePhone: '+1.5555550000',
  street: ['1 Test Street'],
  city: 'Testville',
  stateProvince: 'TS',
  postalCode: '00000',
  countryCode: 'US',
  phone: '+1.5555550001',
  email: 'info@registrar.test',
  status: 'active',
  created: new Date(0),
  updated: null,
}

/** a whole domain record around the given contacts, with neutral values for the rest */
export function sampleDomain(contacts: Domain['contacts'], over: Partial<Domain> = {}): Domain {
  return {
    roid: 'D-SAMPLE',
    ldhName: 'sample.test',
    unicodeName: null,
    statuses: ['ok'],
    created: new Date(0),
    updated: null,
    expires: new Date(0),
    transferred: null,
    registrar: SUITE_REGISTRAR,
    contacts,
    nameservers: [{ ldhName: 'ns1.registrar.test', unicodeName: null }],
    secureDns: { delegationSigned: false, dsData: [], keyData: [] },
    ...over,
  }
}

function buildDomain(suite: PolicySuite, key: string): Domain {
  const spec = suite.domains[key]
  if (!spec) throw new Error(`unknown domain ${key}`)
  const contacts: Partial<Record<(typeof CONTACT_ROLES)[number], Contact>> = {}
  for (const role of CONTACT_ROLES) {
    const ref = spec[role]
    if (!ref) continue
    const c = suite.contacts[ref]
    if (!c) throw new Error(`unknown contact ${ref}`)
    contacts[role] = { ...c, registrarIanaId: 9999, created: new Date(0), updated: null }
  }
  return sampleDomain(contacts, { roid: `D-${key}`, ldhName: spec.ldhName })
}

export interface CaseResult {
  readonly name: string
  readonly failures: readonly string[]
}

/** runs every case of a suite against a policy; a case passes when its failures are empty */
export function runSuite(policy: Policy, suite: PolicySuite): CaseResult[] {
  return suite.tests.map((c) => {
    if ('search' in c) return runSearchCase(policy, suite, c)
    const failures: string[] = []
    // an undeclared audience is passed as is: the engine must answer it with the public view
    const audience = c.audience as Audience
    const d = disclose(policy, { kind: 'domain', domain: buildDomain(suite, c.domain) }, audience)
    for (const path of c.shown)
      if (!d.shown.includes(path)) failures.push(`${path} should be shown`)
    for (const [path, method] of Object.entries(c.withheld)) {
      const w = d.withheld.find((x) => x.path === path)
      if (!w) failures.push(`${path} should be withheld (${method})`)
      else if (w.method !== method)
        failures.push(`${path} should be withheld by ${method}, not ${w.method}`)
    }
    if (d.problems.length) failures.push(...d.problems)
    return { name: c.name, failures }
  })
}

function runSearchCase(
  policy: Policy,
  suite: PolicySuite,
  c: z.infer<typeof SearchCase>,
): CaseResult {
  const failures: string[] = []
  const audience = c.audience as Audience
  const allowed = maySearch(policy, audience, c.search)
  if (allowed !== c.allowed)
    failures.push(`${c.search} should be ${c.allowed ? 'allowed' : 'refused'} to ${c.audience}`)
  if (c.finds) {
    const property = c.search.slice('reverse.'.length)
    if (!c.search.startsWith('reverse.') || !(property in REVERSE_PROPERTIES)) {
      failures.push('finds applies to reverse.* searches')
    } else {
      // a search finds the domain when the lookup by the same audience shows the matched value
      const domain = buildDomain(suite, c.finds.domain)
      const d = disclose(policy, { kind: 'domain', domain }, audience)
      const found =
        allowed && d.shown.includes(reverseField(c.finds.role, property as ReverseProperty))
      if (found !== c.finds.found)
        failures.push(
          `${c.finds.domain} should ${c.finds.found ? '' : 'not '}be found by its ${c.finds.role}`,
        )
    }
  }
  return { name: c.name, failures }
}
