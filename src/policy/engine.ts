import type { Audience } from '../domain/audience.js'
import type {
  Contact,
  ContactRole,
  Domain,
  Host,
  Registrar,
  RegistryObject,
} from '../domain/registration.js'
import { CONTACT_ROLES } from '../domain/registration.js'
import { conditionHolds, type Condition } from './conditions.js'
import {
  fieldByPath,
  FIELDS_BY_GROUP,
  type FieldGroup,
  type FieldSpec,
  type Method,
} from './fields.js'
import type { FillTemplate, Policy } from './load.js'

type ContactKey =
  | 'roid'
  | 'name'
  | 'organization'
  | 'street'
  | 'city'
  | 'stateProvince'
  | 'postalCode'
  | 'countryCode'
  | 'phone'
  | 'phoneExt'
  | 'fax'
  | 'faxExt'
  | 'email'
type RegistrarKey = Exclude<keyof Registrar, 'ianaId' | 'handle' | 'status' | 'created' | 'updated'>

export type DisclosedContact = Readonly<Partial<Pick<Contact, ContactKey>>>
export type DisclosedRegistrar = Readonly<
  Pick<Registrar, 'ianaId'> & Partial<Pick<Registrar, RegistrarKey>>
>
export type DisclosedDomain = Readonly<
  Pick<Domain, 'ldhName' | 'unicodeName'> &
    Partial<
      Pick<
        Domain,
        | 'roid'
        | 'statuses'
        | 'created'
        | 'updated'
        | 'expires'
        | 'transferred'
        | 'nameservers'
        | 'secureDns'
      >
    > & {
      registrar: DisclosedRegistrar
      contacts: Readonly<Partial<Record<ContactRole, DisclosedContact>>>
    }
>
export type DisclosedHost = Readonly<
  Pick<Host, 'ldhName' | 'unicodeName'> &
    Partial<Pick<Host, 'roid' | 'ipv4' | 'ipv6' | 'statuses' | 'created' | 'updated'>> & {
      registrar: DisclosedRegistrar
    }
>

declare const disclosed: unique symbol
/** only disclose() makes these, so a renderer cannot be handed a raw record */
export type DisclosedRecord = (
  | { readonly kind: 'domain'; readonly domain: DisclosedDomain }
  | { readonly kind: 'host'; readonly host: DisclosedHost }
  | { readonly kind: 'contact'; readonly handle: string; readonly contact: DisclosedContact }
  | { readonly kind: 'registrar'; readonly registrar: DisclosedRegistrar }
) & { readonly [disclosed]: true }

export interface Withheld {
  /** 'registrant.email'; 'contact.email' for a contact looked up on its own */
  readonly path: string
  readonly group: FieldGroup | 'contact'
  readonly key: string
  readonly method: Method
  readonly personal: boolean
  /** what stands in its place, for replacementValue */
  readonly replacement?: { readonly kind: 'email' | 'uri'; readonly value: string }
}

/** the only thing renderers accept */
export interface Disclosure {
  readonly record: DisclosedRecord
  /** catalogue order */
  readonly withheld: readonly Withheld[]
  /** paths of the fields shown, catalogue order */
  readonly shown: readonly string[]
  readonly audience: Audience
  readonly policy: { readonly name: string; readonly version: number }
  /** rules that failed to evaluate; those fields stayed withheld */
  readonly problems: readonly string[]
}

type Bag = Record<string, unknown>

interface Walk {
  readonly policy: Policy
  readonly audience: Audience
  readonly ldhName: string
  readonly withheld: Withheld[]
  readonly shown: string[]
  readonly problems: string[]
}

/**
 * Decides, field by field, what `audience` sees of `object` under `policy`. Pure and synchronous.
 * Fails closed: it starts from an empty view and copies only what a rule grants; a field no rule
 * names, or whose rule throws, is withheld. An audience the policy does not declare is the public.
 */
export function disclose(policy: Policy, object: RegistryObject, audience: Audience): Disclosure {
  const effective: Audience = policy.audiences.has(audience) ? audience : 'public'
  const ldhName = object.kind === 'domain' ? object.domain.ldhName : ''
  const walk: Walk = { policy, audience: effective, ldhName, withheld: [], shown: [], problems: [] }
  let record: DisclosedRecord
  switch (object.kind) {
    case 'domain': {
      const d = object.domain
      const contacts: Partial<Record<ContactRole, DisclosedContact>> = {}
      for (const role of CONTACT_ROLES) {
        const c = d.contacts[role]
        if (c) contacts[role] = copyGroup(walk, role, c as unknown as Bag, c)
      }
      const domain = {
        ldhName: d.ldhName,
        unicodeName: d.unicodeName,
        ...copyGroup(walk, 'domain', d as unknown as Bag),
        registrar: discloseRegistrar(walk, d.registrar),
        contacts,
      }
      record = { kind: 'domain', domain } as DisclosedRecord
      break
    }
    case 'host': {
      const h = object.host
      const host = {
        ldhName: h.ldhName,
        unicodeName: h.unicodeName,
        ...copyGroup(walk, 'host', h as unknown as Bag),
        registrar: discloseRegistrar(walk, h.registrar),
      }
      record = { kind: 'host', host } as DisclosedRecord
      break
    }
    case 'registrar':
      record = {
        kind: 'registrar',
        registrar: discloseRegistrar(walk, object.registrar),
      } as DisclosedRecord
      break
    case 'contact':
      record = {
        kind: 'contact',
        handle: object.contact.roid,
        contact: discloseContactAlone(walk, object.contact),
      } as DisclosedRecord
      break
  }
  return {
    record,
    withheld: walk.withheld,
    shown: walk.shown,
    audience: effective,
    policy: { name: policy.name, version: policy.version },
    problems: walk.problems,
  }
}

function discloseRegistrar(walk: Walk, registrar: Registrar): DisclosedRegistrar {
  return { ianaId: registrar.ianaId, ...copyGroup(walk, 'registrar', registrar as unknown as Bag) }
}

/** copies the fields of one group that the policy grants; records the rest as withheld */
function copyGroup(walk: Walk, group: FieldGroup, source: Bag, contact?: Contact): Bag {
  const view: Bag = {}
  for (const step of stepsOf(walk.policy, walk.audience, group)) {
    const field = step.field
    const value = source[field.key]
    if (isAbsent(value)) continue
    const verdict = verdictOf(walk, step, contact)
    if (verdict === 'show') {
      view[field.key] = value
      walk.shown.push(field.path)
    } else if (verdict === step.otherwise && step.entry) {
      if (step.entry.method === 'emptyValue') view[field.key] = Array.isArray(value) ? [] : ''
      walk.withheld.push(step.entry)
    } else {
      withhold(walk, view, field, verdict, field.path, group, contact)
    }
  }
  return view
}

/** a contact on its own (entity lookup) has no role: a field is shown only if every role's rule shows it */
function discloseContactAlone(walk: Walk, contact: Contact): DisclosedContact {
  const view: Bag = {}
  const source = contact as unknown as Bag
  for (const field of FIELDS_BY_GROUP.get('registrant') ?? []) {
    // the handle was the query itself
    if (field.key === 'roid' || isAbsent(source[field.key])) continue
    let verdict: Verdict = 'show'
    for (const role of CONTACT_ROLES) {
      const spec = FIELDS_BY_GROUP.get(role)?.find((f) => f.key === field.key)
      const v = spec ? decide(walk, spec, contact) : { method: field.methods[0]! }
      if (v !== 'show') {
        verdict = v
        break
      }
    }
    const path = `contact.${field.key}`
    if (verdict === 'show') {
      view[field.key] = source[field.key]
      walk.shown.push(path)
    } else {
      withhold(walk, view, field, verdict, path, 'contact', contact)
    }
  }
  return view as DisclosedContact
}

/**
 * The personal fields `disclosure` shows that the public would not see of the same object: what an
 * audit row must name. Asks only the rules of those fields, so it costs far less than a second
 * disclose().
 */
export function personalBeyondPublic(
  policy: Policy,
  object: RegistryObject,
  disclosure: Disclosure,
): string[] {
  const publicWalk: Walk = {
    policy,
    audience: 'public',
    ldhName: '',
    withheld: [],
    shown: [],
    problems: [],
  }
  const beyond: string[] = []
  for (const path of disclosure.shown) {
    if (object.kind === 'contact' && path.startsWith('contact.')) {
      const key = path.slice('contact.'.length)
      const all = CONTACT_ROLES.every((role) => {
        const spec = fieldByPath(`${role}.${key}`)
        return spec !== undefined && decide(publicWalk, spec, object.contact) === 'show'
      })
      if (!all) beyond.push(path)
      continue
    }
    const spec = fieldByPath(path)
    if (!spec?.personal || object.kind !== 'domain') continue
    const contact = object.domain.contacts[spec.group as ContactRole]
    if (contact && decide(publicWalk, spec, contact) !== 'show') beyond.push(path)
  }
  return beyond
}

type Verdict = 'show' | { readonly method: Method; readonly fill?: FillTemplate }

// the verdict for a field no rule grants: the catalogue's first method (one object per field, shared)
const DEFAULT_VERDICT = new Map<FieldSpec, Verdict>()
const defaultVerdict = (field: FieldSpec): Verdict => {
  let v = DEFAULT_VERDICT.get(field)
  if (!v) DEFAULT_VERDICT.set(field, (v = Object.freeze({ method: field.methods[0]! })))
  return v
}

/** what a policy says of one field for one audience, before looking at the contact */
interface Step {
  readonly field: FieldSpec
  /** shown to this audience whatever the contact */
  readonly shown: boolean
  /** conditions on the contact that may show it anyway */
  readonly alsoWhen: readonly Condition[]
  /** how it is withheld otherwise: the rule, or the default for a field no rule names */
  readonly otherwise: Exclude<Verdict, 'show'>
  /** what the response lists for it then, the same every time unless a value replaces it */
  readonly entry?: Withheld
}

// policy → audience → group → steps in catalogue order. Worked out on first use and kept: a policy
// never changes once loaded, and its audiences and the groups are closed sets.
const plans = new WeakMap<Policy, Map<Audience, Map<FieldGroup, readonly Step[]>>>()

function stepsOf(policy: Policy, audience: Audience, group: FieldGroup): readonly Step[] {
  let byAudience = plans.get(policy)
  if (!byAudience) plans.set(policy, (byAudience = new Map()))
  let byGroup = byAudience.get(audience)
  if (!byGroup) byAudience.set(audience, (byGroup = new Map()))
  let steps = byGroup.get(group)
  if (!steps) {
    steps = (FIELDS_BY_GROUP.get(group) ?? []).map((field): Step => {
      const rule = policy.rules.get(field.path)
      const otherwise = rule ?? (defaultVerdict(field) as Step['otherwise'])
      const entry =
        otherwise.method === 'replacementValue'
          ? undefined
          : Object.freeze({
              path: field.path,
              group,
              key: field.key,
              method: otherwise.method,
              personal: field.personal,
            })
      return {
        field,
        shown: rule ? rule.everyone || rule.audiences.has(audience) : false,
        alsoWhen: rule?.alsoWhen ?? [],
        otherwise,
        ...(entry ? { entry } : {}),
      }
    })
    byGroup.set(group, steps)
  }
  return steps
}

function decide(walk: Walk, field: FieldSpec, contact?: Contact): Verdict {
  const step = stepsOf(walk.policy, walk.audience, field.group).find((s) => s.field === field)
  return step ? verdictOf(walk, step, contact) : defaultVerdict(field)
}

function verdictOf(walk: Walk, step: Step, contact?: Contact): Verdict {
  if (step.shown) return 'show'
  if (contact && step.alsoWhen.length) {
    try {
      const ctx = { field: step.field, contact, scope: walk.policy.scope }
      for (const condition of step.alsoWhen) if (conditionHolds(condition, ctx)) return 'show'
    } catch (err) {
      walk.problems.push(`${step.field.path}: ${(err as Error).message}`)
      return defaultVerdict(step.field)
    }
  }
  return step.otherwise
}

function withhold(
  walk: Walk,
  view: Bag,
  field: FieldSpec,
  verdict: Exclude<Verdict, 'show'>,
  path: string,
  group: FieldGroup | 'contact',
  contact?: Contact,
): void {
  const personal = field.personal
  if (verdict.method === 'emptyValue') {
    view[field.key] = Array.isArray((contact as unknown as Bag | undefined)?.[field.key]) ? [] : ''
    walk.withheld.push({ path, group, key: field.key, method: 'emptyValue', personal })
    return
  }
  if (verdict.method === 'replacementValue' && verdict.fill) {
    try {
      const value = verdict.fill({
        hmac: walk.policy.anonymize(`${contact?.roid ?? ''}\u0000${walk.ldhName}\u0000${group}`),
        ldhName: walk.ldhName,
        role: group,
      })
      view[field.key] = value
      const kind = /^https?:\/\//.test(value) ? 'uri' : 'email'
      walk.withheld.push({
        path,
        group,
        key: field.key,
        method: 'replacementValue',
        personal,
        replacement: { kind, value },
      })
      return
    } catch (err) {
      walk.problems.push(`${path}: ${(err as Error).message}`)
    }
  }
  walk.withheld.push({ path, group, key: field.key, method: 'removal', personal })
}

function isAbsent(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  )
}
