import type { Audience } from '../domain/audience.js'
import type { Contact, ContactRole, Domain } from '../domain/registration.js'
import { CONTACT_ROLES } from '../domain/registration.js'
import { conditionHolds, type Condition } from './conditions.js'
import type { Disclosure } from './disclosure.js'
import { FIELDS, fieldByPath, type Method } from './fields.js'
import type { Policy } from './load.js'

/** who a policy shows one field to: its rule, read back as data (none: no rule names it) */
export interface FieldRule {
  readonly everyone: boolean
  readonly audiences: readonly Audience[]
  readonly alsoWhen: readonly Condition[]
  /** how it is withheld from everyone else */
  readonly otherwise: Method
}

/** the rule of `path`, or undefined when no rule names it (withheld from everyone) */
export function ruleOf(policy: Policy, path: string): FieldRule | undefined {
  const rule = policy.rules.get(path)
  if (!rule) return undefined
  return {
    everyone: rule.everyone,
    audiences: [...policy.audiences].filter((a) => rule.audiences.has(a)),
    alsoWhen: rule.alsoWhen,
    otherwise: rule.method,
  }
}

/** the rule as the policy file says it, on one line */
export function describeRule(policy: Policy, path: string): string {
  const rule = ruleOf(policy, path)
  if (!rule) {
    const method = fieldByPath(path)?.methods[0] ?? 'removal'
    return `${path}: no rule in ${policy.name}; withheld from everyone (${method})`
  }
  const show = rule.everyone ? 'everyone' : `[${rule.audiences.join(', ')}]`
  const also = rule.alsoWhen.length ? `, alsoWhen: [${rule.alsoWhen.join(', ')}]` : ''
  const otherwise = rule.everyone ? '' : `, otherwise: ${rule.otherwise}`
  return `${path}: { show: ${show}${also}${otherwise} }`
}

/** one field of one audience's view, and why */
export interface FieldDecision {
  readonly path: string
  readonly shown: boolean
  /** RFC 9537 method, for a withheld field */
  readonly method?: Method
  /** what stands in its place (an anonymized address or a web form) */
  readonly replacement?: string
  /** the rule that decided it, as the policy file says it */
  readonly rule: string
  /** which part of the rule applied */
  readonly because: string
}

/**
 * Each field of `disclosure` (a domain's, made by disclose()) with the rule that decided it, in
 * catalogue order. Reads the verdicts from the disclosure; only names the rule and the condition
 * that applied, so it cannot disagree with what was disclosed.
 */
export function explainDisclosure(
  policy: Policy,
  domain: Domain,
  disclosure: Disclosure,
): FieldDecision[] {
  const shown = new Set(disclosure.shown)
  const withheld = new Map(disclosure.withheld.map((w) => [w.path, w]))
  const failed = new Set(disclosure.problems.map((p) => p.slice(0, p.indexOf(':'))))
  const decisions: FieldDecision[] = []
  for (const field of FIELDS) {
    const w = withheld.get(field.path)
    if (!shown.has(field.path) && !w) continue
    const rule = ruleOf(policy, field.path)
    const contact = (CONTACT_ROLES as readonly string[]).includes(field.group)
      ? domain.contacts[field.group as ContactRole]
      : undefined
    decisions.push({
      path: field.path,
      shown: !w,
      ...(w ? { method: w.method } : {}),
      ...(w?.replacement ? { replacement: w.replacement.value } : {}),
      rule: describeRule(policy, field.path),
      because: w
        ? failed.has(field.path)
          ? 'a condition of the rule failed to evaluate, so the field stayed withheld'
          : !rule
            ? 'no rule names this field'
            : `not shown to ${disclosure.audience}${rule.alsoWhen.length ? ', and no condition of alsoWhen holds for this contact' : ''}`
        : shownBecause(policy, rule, disclosure.audience, field.path, contact),
    })
  }
  return decisions
}

function shownBecause(
  policy: Policy,
  rule: FieldRule | undefined,
  audience: Audience,
  path: string,
  contact: Contact | undefined,
): string {
  if (rule?.everyone) return 'shown to everyone'
  if (rule?.audiences.includes(audience)) return `shown to ${audience}`
  const field = fieldByPath(path)
  const held =
    contact && field
      ? rule?.alsoWhen.find((c) => conditionHolds(c, { field, contact, scope: policy.scope }))
      : undefined
  return held ? `shown because ${held} holds for this contact` : `shown to ${audience}`
}
