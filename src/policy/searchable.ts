import type { Audience } from '../domain/audience.js'
import type { ContactRole, ContactTest } from '../domain/registration.js'
import type { Condition } from './conditions.js'
import { fieldByPath, type FieldSpec } from './fields.js'
import type { Policy } from './load.js'
import { stepsOf } from './plan.js'

/**
 * What a search may match on (RFC 9082 §3.2, RFC 9536): the policy grants each to audiences under
 * `searches`; one no rule names is refused to everyone.
 */
export const SEARCH_PROPERTIES = [
  'domains.name',
  'domains.nsLdhName',
  'domains.nsIp',
  'nameservers.name',
  'nameservers.ip',
  'entities.handle',
  'entities.fn',
  'reverse.fn',
  'reverse.handle',
  'reverse.email',
] as const
export type SearchProperty = (typeof SEARCH_PROPERTIES)[number]

/** the RFC 9536 reverse-search properties, each with the contact field it matches */
export const REVERSE_PROPERTIES = {
  fn: 'name',
  handle: 'roid',
  email: 'email',
} as const
export type ReverseProperty = keyof typeof REVERSE_PROPERTIES

export interface SearchGrant {
  readonly everyone: boolean
  readonly audiences: ReadonlySet<Audience>
}

/** may `audience` search by `property` under `policy`? An audience the policy lacks is the public */
export function maySearch(policy: Policy, audience: Audience, property: SearchProperty): boolean {
  const grant = policy.searches.get(property)
  if (!grant) return false
  const effective = policy.audiences.has(audience) ? audience : 'public'
  return grant.everyone || grant.audiences.has(effective)
}

/**
 * When a field is visible to an audience, as data a query can be built from: always, never, or when
 * one of the conditions holds for the contact. The same plan disclose() reads, so a search matches
 * exactly the values a lookup would show.
 */
export interface Visibility {
  readonly field: FieldSpec
  readonly always: boolean
  readonly when: readonly Condition[]
}

export function visibilityOf(policy: Policy, audience: Audience, path: string): Visibility {
  const field = fieldByPath(path)
  if (!field) throw new Error(`unknown field ${path}`)
  const effective = policy.audiences.has(audience) ? audience : 'public'
  const step = stepsOf(policy.plan, effective, field.group).find((s) => s.field === field)
  if (!step) return { field, always: false, when: [] }
  return { field, always: step.shown, when: step.shown ? [] : step.alsoWhen }
}

/** the field of `role` a reverse search by `property` matches */
export const reverseField = (role: ContactRole, property: ReverseProperty): string =>
  `${role}.${REVERSE_PROPERTIES[property]}`

/** a visibility as the conditions a query tests of the contact (conditions.ts, condition by condition) */
export function contactTestOf(policy: Policy, v: Visibility): ContactTest {
  if (v.always) return { always: true }
  let test: ContactTest = { always: false }
  for (const condition of v.when) {
    switch (condition) {
      case 'contactConsented':
        if (v.field.consent) test = { ...test, consented: v.field.consent }
        break
      case 'legalPerson':
        test = { ...test, legalPerson: true }
        break
      case 'outsideScope':
        if (policy.scope.applies === 'countries')
          test = { ...test, outsideCountries: [...policy.scope.countries] }
        break
      default:
        // a condition added to conditions.ts must be added here, or nothing matches by it
        condition satisfies never
    }
  }
  return test
}
