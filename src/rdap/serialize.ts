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
  if (!('redacted' in response) || !response.redacted) return JSON.stringify(response)
  // `redacted` is the last member: the rest as usual, then its entries' texts
  const { redacted, ...members } = response
  const text = JSON.stringify(members)
  return `${text.slice(0, -1)},"redacted":[${redacted.map(entryText).join(',')}]}`
}
