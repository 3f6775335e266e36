// RDAP responses are written straight to JSON text: building an object tree per response only to
// stringify it cost more than the lookup itself (see README, Benchmarks). Every value that is not a
// constant of ours goes through JSON.stringify, so the text is always valid and escaped.

/** JSON text of a string or number */
export const json = (value: string | number | boolean): string => JSON.stringify(value)

/** `,"name":text` for an optional member whose value is already JSON text; nothing when absent */
export const member = (name: string, text: string | undefined): string =>
  text === undefined ? '' : `,"${name}":${text}`

/** JSON array text of items that are already JSON text */
export const array = (items: readonly string[]): string => `[${items.join(',')}]`
