import { domainToASCII, domainToUnicode } from 'node:url'
import { canonicalIp } from '../domain/ip.js'
import { isNameProblem, normalizeDomainName } from '../domain/names.js'
import { CONTACT_ROLES, type ContactRole } from '../domain/registration.js'
import { AppError } from '../errors.js'
import {
  REVERSE_PROPERTIES,
  type ReverseProperty,
  type SearchProperty,
} from '../policy/searchable.js'
import type { Criteria, Ip, NamePattern, Pattern } from '../storage/search.js'

export type { Criteria }

/** the policy's name for what a search matches on */
export const propertyOf = (c: Criteria): SearchProperty =>
  c.kind === 'reverse' ? `reverse.${c.by}` : (`${c.kind}.${c.by}` as SearchProperty)

/** RFC 9082 §3.2: each search path takes exactly one of these parameters */
const SEARCH_PARAMETERS = {
  domains: ['name', 'nsLdhName', 'nsIp'],
  nameservers: ['name', 'ip'],
  entities: ['fn', 'handle'],
} as const

// RFC 9536 role names as RFC 9083 §10.2.4 registers them, mapped to this registry's contact roles
const ROLES: Readonly<Record<string, ContactRole>> = {
  registrant: 'registrant',
  administrative: 'administrative',
  technical: 'technical',
  billing: 'billing',
}

const MAX_PATTERN = 255
const MAX_WILDCARDS = 3

/** the criteria of a search path and its query string; 400 or 422 with a sentence otherwise */
export function parseCriteria(
  path: 'domains' | 'nameservers' | 'entities' | 'reverse',
  query: Readonly<Record<string, string>>,
): Criteria {
  if (path === 'reverse') return parseReverse(query)
  const allowed: readonly string[] = SEARCH_PARAMETERS[path]
  const given = allowed.filter((p) => query[p] !== undefined)
  if (given.length !== 1)
    throw new AppError(
      'BAD_REQUEST',
      `A ${path} search takes exactly one of ${allowed.map((p) => `${p}=`).join(', ')}.`,
    )
  const by = given[0]!
  const value = query[by]!
  switch (`${path}.${by}`) {
    case 'domains.name':
    case 'domains.nsLdhName':
    case 'nameservers.name':
      return { kind: path, by, name: namePattern(value) } as Criteria
    case 'domains.nsIp':
    case 'nameservers.ip':
      return { kind: path, by, ip: ipAddress(value) } as Criteria
    default:
      return {
        kind: 'entities',
        by: by as 'fn' | 'handle',
        text: textPattern(value, by === 'handle' ? 'upper' : 'lower'),
      }
  }
}

function parseReverse(query: Readonly<Record<string, string>>): Criteria {
  const given = Object.keys(REVERSE_PROPERTIES).filter((p) => query[p] !== undefined)
  if (given.length !== 1)
    throw new AppError(
      'BAD_REQUEST',
      `A reverse search takes exactly one of ${Object.keys(REVERSE_PROPERTIES)
        .map((p) => `${p}=`)
        .join(', ')}, and optionally role=.`,
    )
  const by = given[0] as ReverseProperty
  const roleName = query.role
  const role = roleName === undefined ? undefined : ROLES[roleName]
  if (roleName !== undefined && !role)
    throw new AppError(
      'BAD_REQUEST',
      `Unknown role "${roleName.slice(0, 40)}"; use one of ${CONTACT_ROLES.join(', ')}.`,
    )
  return {
    kind: 'reverse',
    by,
    text: textPattern(query[by]!, by === 'handle' ? 'upper' : 'lower'),
    role,
  }
}

/**
 * A domain or host name pattern: canonical A-labels where it can be (every label without `*`), on
 * the Unicode names when a partial label is not ASCII (an A-label of a partial U-label would not
 * match a prefix of anything).
 */
export function namePattern(raw: string): NamePattern {
  let value = raw.trim().normalize('NFC').toLowerCase()
  if (value.endsWith('.')) value = value.slice(0, -1)
  if (!value.includes('*')) {
    const name = normalizeDomainName(value)
    if (isNameProblem(name)) throw new AppError('BAD_REQUEST', `Malformed name: ${name.problem}.`)
    return { like: escapeLike(name.ldhName), exact: true, column: 'ldh' }
  }
  checkWildcards(value)
  const labels = value.split('.')
  if (labels.some((l) => l === ''))
    throw new AppError('BAD_REQUEST', 'The pattern has an empty label.')
  // eslint-disable-next-line no-control-regex
  const unicode = labels.some((l) => l.includes('*') && /[^\u0000-\u007f]/.test(l))
  const converted = labels.map((label) => {
    if (label.includes('*')) {
      if (!/^[\p{L}\p{M}\p{N}*-]+$/u.test(label))
        throw new AppError(
          'BAD_REQUEST',
          `The label "${label.slice(0, 63)}" is not a name pattern.`,
        )
      return label
    }
    const ascii = domainToASCII(label)
    if (!ascii)
      throw new AppError('BAD_REQUEST', `The label "${label.slice(0, 63)}" is not a valid label.`)
    return unicode ? domainToUnicode(ascii).normalize('NFC') : ascii
  })
  const like = converted.map((l) => escapeLike(l).replaceAll('*', '%')).join('.')
  checkBreadth(converted.join('.'))
  return { like, exact: false, column: unicode ? 'unicode' : 'ldh' }
}

/** a name, handle or e-mail pattern, matched case-insensitively */
function textPattern(raw: string, fold: 'lower' | 'upper'): Pattern {
  const value = raw.trim().normalize('NFC')
  if (value === '') throw new AppError('BAD_REQUEST', 'The search pattern is empty.')
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new AppError('BAD_REQUEST', 'The search pattern contains control characters.')
  const folded = fold === 'lower' ? value.toLowerCase() : value.toUpperCase()
  if (!folded.includes('*')) return { like: escapeLike(folded), exact: true }
  checkWildcards(folded)
  checkBreadth(folded)
  return { like: escapeLike(folded).replaceAll('*', '%'), exact: false }
}

function checkWildcards(value: string): void {
  if (value.length > MAX_PATTERN)
    throw new AppError(
      'BAD_REQUEST',
      `The search pattern is longer than ${MAX_PATTERN} characters.`,
    )
  if (value.split('*').length - 1 > MAX_WILDCARDS)
    throw new AppError('UNPROCESSABLE', `A pattern may hold at most ${MAX_WILDCARDS} "*".`)
}

/**
 * A partial pattern must narrow the search: two characters before its first `*`, or three in a row
 * elsewhere (what a trigram index can look up). Listing the whole registry is not a search.
 */
function checkBreadth(value: string): void {
  const prefix = value.slice(0, value.indexOf('*')).replaceAll('.', '')
  const longestRun = Math.max(...value.split(/[*.@]/).map((part) => [...part].length))
  if ([...prefix].length >= 2 || longestRun >= 3) return
  throw new AppError(
    'UNPROCESSABLE',
    'The pattern is too broad: give at least two characters before the first "*", or three in a row elsewhere.',
  )
}

/** an IPv4 or IPv6 address in the form hosts store it */
function ipAddress(raw: string): Ip {
  const ip = canonicalIp(raw.trim())
  if (!ip) throw new AppError('BAD_REQUEST', 'Malformed IP address.')
  return ip
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`)
