import type { Audience } from '../domain/audience.js'
import { CONTACT_ROLES } from '../domain/registration.js'
import type { Condition } from './conditions.js'
import type { Withheld } from './disclosure.js'
import { FIELDS_BY_GROUP, type FieldGroup, type FieldSpec, type Method } from './fields.js'
import type { FillTemplate, Policy } from './load.js'

export type Verdict = 'show' | { readonly method: Method; readonly fill?: FillTemplate }

// the verdict for a field no rule grants: the catalogue's first method (one object per field, shared)
const DEFAULT_VERDICT = new Map<FieldSpec, Verdict>()
export const defaultVerdict = (field: FieldSpec): Verdict => {
  let v = DEFAULT_VERDICT.get(field)
  if (!v) DEFAULT_VERDICT.set(field, (v = Object.freeze({ method: field.methods[0]! })))
  return v
}

/** what a policy says of one field for one audience, before looking at the contact */
export interface Step {
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

const GROUPS: readonly FieldGroup[] = ['domain', 'registrar', 'host', ...CONTACT_ROLES]

/** audience → group → steps in catalogue order: a policy's rules worked out once, as it loads */
export type Plan = ReadonlyMap<Audience, ReadonlyMap<FieldGroup, readonly Step[]>>

const EMPTY: readonly Step[] = []

/** the steps of one group for one audience; an audience the plan lacks gets none (all withheld) */
export function stepsOf(plan: Plan, audience: Audience, group: FieldGroup): readonly Step[] {
  return plan.get(audience)?.get(group) ?? EMPTY
}

/** works out every audience's steps for every group */
export function planPolicy(policy: Pick<Policy, 'rules' | 'audiences'>): Plan {
  return new Map(
    // the public is every policy's audience, declared or not
    [...new Set<Audience>(['public', ...policy.audiences])].map((audience) => [
      audience,
      new Map(GROUPS.map((group) => [group, stepsFor(policy, audience, group)])),
    ]),
  )
}

function stepsFor(
  policy: Pick<Policy, 'rules'>,
  audience: Audience,
  group: FieldGroup,
): readonly Step[] {
  return (FIELDS_BY_GROUP.get(group) ?? []).map((field): Step => {
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
}
