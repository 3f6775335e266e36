import { domainToASCII, domainToUnicode } from 'node:url'

export interface NormalizedName {
  readonly ldhName: string
  readonly unicodeName: string | null
}

export type NameProblem = { readonly problem: string }

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
// eslint-disable-next-line no-control-regex
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u009f\u2028\u2029]/
// ASCII punctuation other than '-' and '.': never part of a host name, and '%' would be decoded again
const ASCII_PUNCTUATION = /[!-,/:-@[-`{-~]/
// Lowercase LDH with a top-level label that URL host parsing cannot read as a number (it holds a
// letter other than a-f and x) and no A-label: UTS #46 maps such a name to itself, both ways, so
// the conversions (a third of the time of checking a name) are skipped.
const PLAIN_NAME = /^(?:[a-z0-9-]+\.)*[a-z0-9-]*[g-wyz][a-z0-9-]*$/
const A_LABEL = /(?:^|\.)xn--/
const isPlain = (name: string): boolean => PLAIN_NAME.test(name) && !A_LABEL.test(name)

/** the Unicode form of a canonical name, or null when it is the same as the LDH form */
export function unicodeNameOf(ldhName: string): string | null {
  if (isPlain(ldhName)) return null
  const unicode = domainToUnicode(ldhName).normalize('NFC')
  return unicode && unicode !== ldhName ? unicode : null
}

/**
 * Canonical form of a domain or host name given by a client: trim, one trailing dot dropped,
 * UTS #46 non-transitional mapping (case, width) to A-labels, then LDH and length rules
 * (RFC 1123, RFC 5890 §2.3.1: labels 1-63, name at most 253).
 */
export function normalizeDomainName(input: string): NormalizedName | NameProblem {
  if (input.length > 1024) return { problem: 'the name is too long' }
  let name = input.trim()
  if (name.endsWith('.')) name = name.slice(0, -1)
  if (name === '') return { problem: 'the name is empty' }
  if (CONTROL_OR_SPACE.test(name))
    return { problem: 'the name contains spaces or control characters' }
  if (ASCII_PUNCTUATION.test(name))
    return { problem: 'the name contains characters not allowed in a host name' }
  if (name.split('.').some((label) => label === ''))
    return { problem: 'the name has an empty label' }
  const plain = isPlain(name)
  const ascii = plain ? name : domainToASCII(name)
  if (ascii === '') return { problem: 'the name is not a valid domain name (IDNA)' }
  if (ascii.length > 253) return { problem: 'the name is longer than 253 characters' }
  const labels = ascii.split('.')
  for (const label of labels) {
    if (label.length > 63) return { problem: 'a label is longer than 63 characters' }
    if (!LDH_LABEL.test(label)) return { problem: `the label "${label}" is not a valid LDH label` }
    if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
      return { problem: `the label "${label}" has hyphens in the third and fourth positions` }
    }
    if (label.startsWith('xn--') && domainToASCII(domainToUnicode(label)) !== label) {
      return { problem: `the label "${label}" is not a valid A-label` }
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? ''))
    return { problem: 'the top-level label is numeric' }
  return { ldhName: ascii, unicodeName: plain ? null : unicodeNameOf(ascii) }
}

export function isNameProblem(value: NormalizedName | NameProblem): value is NameProblem {
  return 'problem' in value
}
