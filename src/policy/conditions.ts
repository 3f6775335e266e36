import type { Contact } from '../domain/registration.js'
import type { FieldSpec } from './fields.js'

/**
 * The closed set of conditions a policy may name under `alsoWhen`. A policy references them; it
 * cannot define new ones. Each answers "show this field anyway?" and says no when unsure.
 */
export const CONDITIONS = ['contactConsented', 'legalPerson', 'outsideScope'] as const
export type Condition = (typeof CONDITIONS)[number]

export interface Scope {
  /** everywhere: redact for every registration; countries: only where the contact is in one of them */
  readonly applies: 'everywhere' | 'countries'
  readonly countries: ReadonlySet<string>
}

export interface ConditionContext {
  readonly field: FieldSpec
  readonly contact: Contact
  readonly scope: Scope
}

const TESTS: Readonly<Record<Condition, (ctx: ConditionContext) => boolean>> = {
  // Temporary Specification App. A §2.3: the contact consented to publish this kind of data
  contactConsented: ({ field, contact }) =>
    field.consent !== undefined && contact.consent.includes(field.consent),
  // EPDP Phase 1 Rec. 17: a registrant-declared legal person may be published
  legalPerson: ({ contact }) => contact.personKind === 'legal',
  // Calzone / Temp. Spec. App. A §2.1-2.2: redaction limited to the policy's countries; an unknown country is in scope
  outsideScope: ({ contact, scope }) =>
    scope.applies === 'countries' &&
    contact.countryCode !== null &&
    /^[A-Z]{2}$/.test(contact.countryCode.toUpperCase()) &&
    !scope.countries.has(contact.countryCode.toUpperCase()),
}

export function conditionHolds(condition: Condition, ctx: ConditionContext): boolean {
  const test = TESTS[condition]
  if (!test) throw new Error(`unknown condition ${String(condition)}`)
  return test(ctx)
}
