import type { RdapResponse, Redacted } from './model.js'

// The text of each shared redaction entry (frozen, one per field, place and method), made once: a
// response's `redacted` member is most of its bytes, and the same few dozen entries recur in it.
const entryTexts = new WeakMap<Redacted, string>()

function entryText(e: Redacted): string {
  let text = entryTexts.get(e)
  if (text === undefined) {
    text = JSON.stringify(e)
    if (Object.isFrozen(e)) entryTexts.set(e, text)
  }
  return text
}

/** an RDAP response as JSON text: the one serializer, used at the HTTP edge */
export function rdapJson(response: RdapResponse): string {
  const members = response as unknown as Readonly<Record<string, unknown>>
  for (const key of SEARCH_RESULTS) {
    const results = members[key] as readonly object[] | undefined
    if (!results) continue
    // a search's results are its last member: each object with its entries' texts
    const { [key]: _, ...rest } = members
    return `${JSON.stringify(rest).slice(0, -1)},"${key}":[${results.map(objectJson).join(',')}]}`
  }
  return objectJson(response)
}

const SEARCH_RESULTS = ['domainSearchResults', 'nameserverSearchResults', 'entitySearchResults']

/** one object, its `redacted` (the last member) from the entries' texts */
function objectJson(o: object): string {
  const { redacted, ...members } = o as { redacted?: readonly Redacted[] }
  if (!redacted) return JSON.stringify(o)
  const text = JSON.stringify(members)
  return `${text.slice(0, -1)},"redacted":[${redacted.map(entryText).join(',')}]}`
}
