import type { Audience } from '../domain/audience.js'
import type { Contact, ContactRole, Registrar, RegistryObject } from '../domain/registration.js'
import { CONTACT_ROLES } from '../domain/registration.js'
import { conditionHolds } from './conditions.js'
import type {
  DisclosedContact,
  DisclosedRecord,
  DisclosedRegistrar,
  Disclosure,
  Withheld,
} from './disclosure.js'
import { fieldByPath, FIELDS_BY_GROUP, type FieldGroup, type FieldSpec } from './fields.js'
import type { Policy } from './load.js'
import { defaultVerdict, stepsOf, type Step, type Verdict } from './plan.js'

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
        if (c) contacts[role] = copyGroup(walk, role, c, c)
      }
      const domain = {
        ldhName: d.ldhName,
        unicodeName: d.unicodeName,
        ...copyGroup(walk, 'domain', d),
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
        ...copyGroup(walk, 'host', h),
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
  return { ianaId: registrar.ianaId, ...copyGroup(walk, 'registrar', registrar) }
}

/** copies the fields of one group that the policy grants; records the rest as withheld */
function copyGroup(walk: Walk, group: FieldGroup, source: object, contact?: Contact): Bag {
  const view: Bag = {}
  for (const step of stepsOf(walk.policy.plan, walk.audience, group)) {
    const field = step.field
    const value: unknown = Reflect.get(source, field.key)
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
  for (const field of FIELDS_BY_GROUP.get('registrant') ?? []) {
    // the handle was the query itself
    if (field.key === 'roid' || isAbsent(Reflect.get(contact, field.key))) continue
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
      view[field.key] = Reflect.get(contact, field.key)
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

function decide(walk: Walk, field: FieldSpec, contact?: Contact): Verdict {
  const step = stepsOf(walk.policy.plan, walk.audience, field.group).find((s) => s.field === field)
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
    view[field.key] = contact && Array.isArray(Reflect.get(contact, field.key)) ? [] : ''
    walk.withheld.push({ path, group, key: field.key, method: 'emptyValue', personal })
    return
  }
  if (verdict.method === 'replacementValue' && verdict.fill) {
    try {
      const value = verdict.fill({
        hmac: walk.policy.anonymize(contact?.roid ?? '', walk.ldhName, group),
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
