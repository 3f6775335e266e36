import { expect } from '@jest/globals'
import { jsonpath } from 'json-p3'

type Json = Record<string, unknown>

/**
 * RFC 9537 checks on a response: every JSONPath compiles and evaluates as its method says
 * (removal: prePath selects nothing; emptyValue: postPath selects only empty values;
 * replacementValue: postPath / replacementPath select something).
 */
export function expectRedactionsHold(doc: Json): void {
  const entries = (doc.redacted ?? []) as Json[]
  if (entries.length) expect(doc.rdapConformance).toContain('redacted')
  for (const e of entries) {
    const name = e.name as { type?: string; description?: string }
    expect(Boolean(name.type) !== Boolean(name.description)).toBe(true)
    expect(e.pathLang).toBe('jsonpath')
    const select = (key: string) =>
      typeof e[key] === 'string'
        ? jsonpath.query(e[key] as string, doc as never).values()
        : undefined
    const pre = select('prePath')
    const post = select('postPath')
    const repl = select('replacementPath')
    const label = `${name.type ?? name.description} (${String(e.method)})`
    switch (e.method) {
      case 'removal':
        if (pre) expect({ label, selected: pre }).toEqual({ label, selected: [] })
        break
      case 'emptyValue':
        expect({ label, selectedSomething: (post?.length ?? 0) > 0 }).toEqual({
          label,
          selectedSomething: true,
        })
        for (const v of post ?? []) expect({ label, v }).toEqual({ label, v: '' })
        break
      case 'replacementValue':
        if (pre) expect({ label, selected: pre }).toEqual({ label, selected: [] })
        expect({ label, replaced: (post?.length ?? 0) + (repl?.length ?? 0) > 0 }).toEqual({
          label,
          replaced: true,
        })
        break
      default:
        throw new Error(`unexpected method ${String(e.method)}`)
    }
  }
}

/** the registrant's distinctive personal values in the demo data */
export const PRIVACY_REGISTRANT_VALUES = [
  'Erika',
  'Mustermann',
  'Heidestraße',
  'Hinterhaus',
  'Köln',
  '51147',
  '2214711',
  '2214712',
  'erika.mustermann',
  'mail.example',
  'C1001-EXAMPLE',
]
