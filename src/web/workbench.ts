import type { Audience } from '../domain/audience.js'
import type { Disclosure } from '../policy/disclosure.js'
import type { FieldDecision } from '../policy/explain.js'
import type { DomainPreview } from '../preview.js'
import { AUDIENCE_TITLES, humanTime } from './words.js'

/** one cell of the workbench: a field as one audience sees it */
export interface WorkbenchField {
  readonly path: string
  readonly shown: boolean
  /** the value, where the viewer's own view shows it too */
  readonly value?: string
  readonly method?: string
  readonly replacement?: string
  readonly rule: string
  readonly because: string
}

export interface WorkbenchView {
  readonly audience: Audience
  readonly title: string
  readonly fields: readonly WorkbenchField[]
}

/** the workbench API's answer for one domain */
export interface WorkbenchAnswer {
  readonly domain: { readonly ldhName: string; readonly unicodeName: string | null }
  readonly policy: { readonly name: string; readonly version: number }
  /** whether the viewer sponsors the domain (else only the public view) */
  readonly sponsor: boolean
  readonly views: readonly WorkbenchView[]
  /** the public answers exactly as the server serves them */
  readonly served: { readonly rdap: string; readonly whois: string }
}

/** a field's value as text, from a disclosure's record ('registrant.email', 'domain.created') */
function valueAt(d: Disclosure, path: string): string | undefined {
  if (d.record.kind !== 'domain') return undefined
  const dom = d.record.domain
  const dot = path.indexOf('.')
  const group = path.slice(0, dot)
  const key = path.slice(dot + 1)
  const holder: object | undefined =
    group === 'domain'
      ? dom
      : group === 'registrar'
        ? dom.registrar
        : dom.contacts[group as keyof typeof dom.contacts]
  return holder === undefined ? undefined : asText(Reflect.get(holder, key))
}

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (value instanceof Date) return humanTime(value)
  if (Array.isArray(value))
    return value
      .map((v) => (typeof v === 'object' && v && 'ldhName' in v ? String(v.ldhName) : String(v)))
      .join(', ')
  if (typeof value === 'object' && 'delegationSigned' in value)
    return value.delegationSigned ? 'signed' : 'unsigned'
  return String(value)
}

function fields(
  decisions: readonly FieldDecision[],
  values: Disclosure,
  ownShown: ReadonlySet<string>,
): WorkbenchField[] {
  return decisions.map((f) => {
    // a value only where the viewer's own view shows it: the workbench discloses nothing more
    const value = f.shown && ownShown.has(f.path) ? valueAt(values, f.path) : undefined
    return { ...f, ...(value !== undefined ? { value } : {}) }
  })
}

/** the API's answer: the views side by side, values only where the viewer's own view has them */
export function workbenchAnswer(
  preview: DomainPreview,
  served: WorkbenchAnswer['served'],
): WorkbenchAnswer {
  const own = preview.own
  const record = own.record
  if (record.kind !== 'domain') throw new Error('the workbench shows domains')
  const ownShown = new Set(own.shown)
  const publicShown = new Set(preview.public.shown)
  const sponsor = own.audience === 'registrar'
  const view = (audience: Audience, decisions: readonly FieldDecision[], values: Disclosure) => ({
    audience,
    title: AUDIENCE_TITLES[audience],
    fields: fields(decisions, values, audience === 'public' ? publicShown : ownShown),
  })
  return {
    domain: { ldhName: record.domain.ldhName, unicodeName: record.domain.unicodeName },
    policy: own.policy,
    sponsor,
    views: sponsor
      ? [
          view('registrar', own.decisions, own),
          view('public', preview.public.decisions, preview.public),
          ...preview.others.map((o) => view(o.audience, o.decisions, own)),
        ]
      : [view('public', preview.public.decisions, preview.public)],
    served,
  }
}
