import { isNameProblem, normalizeDomainName, type NormalizedName } from '../domain/names.js'

export type WhoisQuery =
  | { readonly kind: 'domain'; readonly name: NormalizedName; readonly asked: string }
  | { readonly kind: 'nameserver'; readonly name: NormalizedName; readonly asked: string }
  | { readonly kind: 'registrar'; readonly text: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly problem: string }

/**
 * One RFC 3912 query line: `example.tld` (A-label or U-label, any case, trailing dot; `domain` and a
 * leading `=` tolerated), `nameserver ns1.example.tld`, `registrar <name or IANA id>`, or `help`.
 */
export function parseWhoisQuery(line: string): WhoisQuery {
  const text = line.trim().replace(/^=\s*/, '')
  if (text === '') return { kind: 'invalid', problem: 'empty query' }
  if (/^help$/i.test(text)) return { kind: 'help' }
  const [first = '', ...rest] = text.split(/\s+/)
  const keyword = first.toLowerCase()
  if (keyword === 'registrar') {
    const value = rest.join(' ')
    if (value === '' || value.length > 100)
      return { kind: 'invalid', problem: 'give a registrar name or IANA id' }
    return { kind: 'registrar', text: value }
  }
  const kind = keyword === 'nameserver' || keyword === 'ns' ? 'nameserver' : 'domain'
  const nameText =
    keyword === 'nameserver' || keyword === 'ns' || keyword === 'domain' ? rest.join(' ') : text
  if (nameText.includes(' ')) return { kind: 'invalid', problem: 'one name per query' }
  const name = normalizeDomainName(nameText)
  if (isNameProblem(name)) return { kind: 'invalid', problem: `malformed name: ${name.problem}` }
  return { kind, name, asked: nameText }
}
