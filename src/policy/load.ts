import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml'
import type { Audience } from '../domain/audience.js'
import { parseUrl } from '../url.js'
import { addressTokens } from './anonymize.js'
import type { Condition, Scope } from './conditions.js'
import { fieldByPath, type Method } from './fields.js'
import { planPolicy, type Plan } from './plan.js'
import { PolicyFile, type PolicyFileData } from './schema.js'
import type { SearchGrant, SearchProperty } from './searchable.js'

export interface CompiledRule {
  readonly everyone: boolean
  readonly audiences: ReadonlySet<Audience>
  readonly alsoWhen: readonly Condition[]
  readonly method: Method
  /** for replacementValue: the policy's template, ready to fill */
  readonly fill?: FillTemplate
  /** and as the policy wrote it (the contact relay reads its addresses by it) */
  readonly template?: string
}

/** a loaded, validated policy: what the engine reads on every request */
export interface Policy {
  readonly name: string
  readonly version: number
  readonly audiences: ReadonlySet<Audience>
  readonly scope: Scope
  readonly rules: ReadonlyMap<string, CompiledRule>
  /** who may search by which property; a property not here is refused to everyone */
  readonly searches: ReadonlyMap<SearchProperty, SearchGrant>
  /** the rules worked out for each audience and group, as the policy loads */
  readonly plan: Plan
  /**
   * non-reversible token for a contact in one role of one domain, for anonymized addresses and
   * web-form links; per domain and role, so the public cannot link one person's registrations
   */
  readonly anonymize: (contactRoid: string, ldhName: string, role: string) => string
}

/** every problem found, each as `file:line:col message` */
export class PolicyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`policy did not load:\n${problems.join('\n')}`)
    this.name = 'PolicyError'
  }
}

export interface LoadOptions {
  readonly dir?: string
  /** HMAC key for {hmac}; required by policies that anonymize */
  readonly secret: string
}

const PLACEHOLDERS = ['hmac', 'ldhName', 'role'] as const

/** reads policies/<name>.yaml and compiles it, or throws PolicyError listing every problem */
export async function loadPolicy(name: string, options: LoadOptions): Promise<Policy> {
  const dir = options.dir ?? 'policies'
  const file = join(dir, `${name}.yaml`)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw new PolicyError([`${file}:1:1 cannot read the policy file (POLICY=${name})`])
  }
  return compilePolicy(text, file, options.secret, name)
}

/** validates YAML text in four steps (YAML, schema, cross-checks, compile), reporting all problems */
export function compilePolicy(
  text: string,
  file: string,
  secret: string,
  expectedName?: string,
): Policy {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false })
  const at = (offset: number, message: string) => {
    const { line, col } = lineCounter.linePos(offset)
    return `${file}:${line}:${col} ${message}`
  }
  if (doc.errors.length) throw new PolicyError(doc.errors.map((e) => at(e.pos[0], e.message)))
  const atPath = (path: readonly PropertyKey[], message: string, onKey = false) => {
    const keys = path.map((k) => (typeof k === 'symbol' ? String(k) : k))
    let node: unknown = doc.getIn(keys, true) ?? doc.getIn(keys.slice(0, -1), true)
    if (onKey) {
      // the position of the key itself, for keys that should not be there
      const parent = keys.length > 1 ? doc.getIn(keys.slice(0, -1), true) : doc.contents
      const pair = isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && p.key.value === keys.at(-1))
        : undefined
      if (pair) node = pair.key
    }
    const offset = isNode(node) && node.range ? node.range[0] : 0
    return at(offset, `${keys.join('.') || '(top)'}: ${message}`)
  }
  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: 100 })
  } catch (err) {
    throw new PolicyError([at(0, (err as Error).message)])
  }
  const parsed = PolicyFile.safeParse(data)
  if (!parsed.success) {
    throw new PolicyError(
      parsed.error.issues.flatMap((i) =>
        // point at each unknown key itself, not at the object holding it
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) =>
              atPath(
                [...i.path, k],
                i.path.at(-1) === 'fields'
                  ? 'not a field of the catalogue (src/policy/fields.ts)'
                  : 'unknown key',
                true,
              ),
            )
          : [atPath(i.path, i.message)],
      ),
    )
  }
  const problems = crossCheck(parsed.data, expectedName).map(([path, message]) =>
    atPath(path, message),
  )
  if (problems.length) throw new PolicyError(problems)
  return compile(parsed.data, secret)
}

type Problem = readonly [readonly PropertyKey[], string]

function crossCheck(p: PolicyFileData, expectedName?: string): Problem[] {
  const problems: Problem[] = []
  if (expectedName !== undefined && p.name !== expectedName) {
    problems.push([['name'], `is "${p.name}" but the file is ${expectedName}.yaml`])
  }
  if (!p.audiences.includes('public')) problems.push([['audiences'], 'must include public'])
  if (p.scope?.applies === 'countries' && !p.scope.countries?.length) {
    problems.push([['scope', 'countries'], 'list the countries where redaction applies'])
  }
  for (const [property, grant] of Object.entries(p.searches ?? {})) {
    if (!Array.isArray(grant)) continue
    grant.forEach((a, i) => {
      if (!p.audiences.includes(a))
        problems.push([['searches', property, i], `audience ${a} is not declared in audiences`])
    })
  }
  for (const [path, rule] of Object.entries(p.fields)) {
    if (!rule) continue
    const field = fieldByPath(path)!
    const where = (...rest: PropertyKey[]) => ['fields', path, ...rest]
    if (Array.isArray(rule.show)) {
      rule.show.forEach((a, i) => {
        if (!p.audiences.includes(a))
          problems.push([where('show', i), `audience ${a} is not declared in audiences`])
      })
    }
    if (rule.alsoWhen?.length && !field.personal) {
      problems.push([where('alsoWhen'), 'conditions apply to contact fields only'])
    }
    const otherwise =
      typeof rule.otherwise === 'string' ? { method: rule.otherwise } : rule.otherwise
    if (!otherwise) continue
    if (!field.methods.includes(otherwise.method)) {
      problems.push([
        where('otherwise'),
        `${path} can be withheld by ${field.methods.join(' or ')}, not ${otherwise.method}`,
      ])
    }
    const template = 'with' in otherwise ? otherwise.with : undefined
    if (otherwise.method === 'replacementValue' && !template) {
      problems.push([where('otherwise'), 'replacementValue needs a "with" template'])
    }
    if (otherwise.method !== 'replacementValue' && template) {
      problems.push([where('otherwise', 'with'), 'only replacementValue takes a template'])
    }
    if (template && otherwise.method === 'replacementValue') {
      problems.push(...checkTemplate(template).map((m): Problem => [where('otherwise', 'with'), m]))
    }
  }
  return problems
}

function checkTemplate(template: string): string[] {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1] ?? '')
    .filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name))
  if (unknown.length)
    return [
      `unknown placeholder(s) ${unknown.map((u) => `{${u}}`).join(', ')}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
    ]
  const sample = compileTemplate(template)({
    hmac: '0123abcd',
    ldhName: 'example.example',
    role: 'registrant',
  })
  if (/^https?:\/\//.test(sample)) {
    return parseUrl(sample) ? [] : ['is not a valid URL']
  }
  return isEmailAddress(sample) ? [] : ['must be an https URL (web form) or an e-mail address']
}

/** RFC 5322 dot-atom addr-spec with an LDH domain: what anonymized addresses must be */
export function isEmailAddress(value: string): boolean {
  return /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/.test(
    value,
  )
}

export type FillTemplate = (
  values: Readonly<Record<(typeof PLACEHOLDERS)[number], string>>,
) => string

/** a replacement template split once at its placeholders: filling it is then a concatenation */
export function compileTemplate(template: string): FillTemplate {
  // split() with a capturing group: literal text at even indices, placeholder names at odd ones
  const parts = template.split(/\{(hmac|ldhName|role)\}/)
  return (values) => {
    let out = parts[0]!
    for (let i = 1; i < parts.length; i += 2)
      out += values[parts[i] as (typeof PLACEHOLDERS)[number]] + parts[i + 1]!
    return out
  }
}

function compile(p: PolicyFileData, secret: string): Policy {
  const rules = new Map<string, CompiledRule>()
  for (const [path, rule] of Object.entries(p.fields)) {
    if (!rule) continue
    const field = fieldByPath(path)!
    const otherwise =
      typeof rule.otherwise === 'string' ? { method: rule.otherwise } : rule.otherwise
    rules.set(path, {
      everyone: rule.show === 'everyone',
      audiences: new Set(rule.show === 'everyone' ? [] : (rule.show as Audience[])),
      alsoWhen: rule.alsoWhen ?? [],
      method: otherwise?.method ?? field.methods[0]!,
      ...(otherwise && 'with' in otherwise && otherwise.with
        ? { fill: compileTemplate(otherwise.with), template: otherwise.with }
        : {}),
    })
  }
  const audiences = new Set(p.audiences as Audience[])
  return Object.freeze({
    name: p.name,
    version: p.version,
    audiences,
    plan: planPolicy({ rules, audiences }),
    scope: {
      applies: p.scope?.applies ?? 'everywhere',
      countries: new Set(p.scope?.countries ?? []),
    },
    rules,
    searches: new Map(
      Object.entries(p.searches ?? {}).map(([property, grant]) => [
        property as SearchProperty,
        {
          everyone: grant === 'everyone',
          audiences: new Set(grant === 'everyone' ? [] : (grant as Audience[])),
        },
      ]),
    ),
    anonymize: addressTokens(secret).make,
  })
}
