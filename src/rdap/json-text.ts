// RDAP responses are written straight to JSON text, without an object tree per response to
// stringify. Every value that is not a
// constant of ours goes through json() or JSON.stringify, so the text is always valid and escaped.

// what JSON.stringify would escape in a string: quote, backslash, control characters, and
// surrogates (a lone one is escaped; pairs are left to JSON.stringify too, to stay identical)
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/

/** JSON text of a string or number; plain strings skip JSON.stringify, which costs twice as much */
export const json = (value: string | number | boolean): string =>
  typeof value === 'string' && !ESCAPED.test(value) ? `"${value}"` : JSON.stringify(value)

/** `,"name":text` for an optional member whose value is already JSON text; nothing when absent */
export const member = (name: string, text: string | undefined): string =>
  text === undefined ? '' : `,"${name}":${text}`

/** JSON array text of items that are already JSON text */
export const array = (items: readonly string[]): string => `[${items.join(',')}]`
