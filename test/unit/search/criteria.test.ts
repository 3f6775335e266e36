import { describe, expect, test } from '@jest/globals'
import { AppError } from '../../../src/errors.js'
import { namePattern, parseCriteria } from '../../../src/search/criteria.js'

const codeOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    return (err as AppError).code
  }
  return 'none'
}

describe('name patterns (RFC 9082 §4.1)', () => {
  test('a whole name is its canonical A-label, matched exactly', () => {
    expect(namePattern('Bücher.Example.')).toEqual({
      like: 'xn--bcher-kva.example',
      exact: true,
      column: 'ldh',
    })
  })

  test('a partial ASCII label stays on the A-labels, its whole labels converted', () => {
    expect(namePattern('exa*.bücher')).toEqual({
      like: 'exa%.xn--bcher-kva',
      exact: false,
      column: 'ldh',
    })
  })

  test('a partial U-label searches the Unicode names, whole A-labels shown as U-labels', () => {
    expect(namePattern('bü*.EXAMPLE')).toEqual({
      like: 'bü%.example',
      exact: false,
      column: 'unicode',
    })
    expect(namePattern('範例*.xn--kpry57d')).toEqual({
      like: '範例%.台灣',
      exact: false,
      column: 'unicode',
    })
    // a combining mark is part of a label (Devanagari: क + ि)
    expect(namePattern('कि*').column).toBe('unicode')
  })

  test('a pattern must narrow the search', () => {
    expect(codeOf(() => namePattern('a*'))).toBe('UNPROCESSABLE')
    expect(codeOf(() => namePattern('*.tw'))).toBe('UNPROCESSABLE')
    expect(codeOf(() => namePattern('ab*'))).toBe('none')
    expect(codeOf(() => namePattern('*pay*'))).toBe('none')
    expect(codeOf(() => namePattern('a*b*c*d*'))).toBe('UNPROCESSABLE')
  })

  test('what is not a name pattern is a bad request', () => {
    expect(codeOf(() => namePattern('ex%am*'))).toBe('BAD_REQUEST')
    expect(codeOf(() => namePattern('ab*..tw'))).toBe('BAD_REQUEST')
    expect(codeOf(() => namePattern('no spaces*'))).toBe('BAD_REQUEST')
  })
})

describe('search parameters', () => {
  test('one property a search, and addresses in their stored form', () => {
    expect(parseCriteria('nameservers', { ip: '2001:0DB8:0:0::1' })).toEqual({
      kind: 'nameservers',
      by: 'ip',
      ip: { family: 6, address: '2001:db8::1' },
    })
    expect(codeOf(() => parseCriteria('domains', { name: 'ab*', nsIp: '192.0.2.1' }))).toBe(
      'BAD_REQUEST',
    )
    expect(codeOf(() => parseCriteria('nameservers', { ip: '192.0.2.01' }))).toBe('BAD_REQUEST')
  })

  test('entity names match case-insensitively, handles in upper case; LIKE characters are literal', () => {
    expect(parseCriteria('entities', { fn: 'Jan_No*' })).toEqual({
      kind: 'entities',
      by: 'fn',
      text: { like: 'jan\\_no%', exact: false },
    })
    expect(parseCriteria('entities', { handle: 'c1001-example' })).toEqual({
      kind: 'entities',
      by: 'handle',
      text: { like: 'C1001-EXAMPLE', exact: true },
    })
  })

  test('a reverse search takes one property and an optional role', () => {
    expect(parseCriteria('reverse', { email: '*@mail.example', role: 'technical' })).toEqual({
      kind: 'reverse',
      by: 'email',
      text: { like: '%@mail.example', exact: false },
      role: 'technical',
    })
    expect(codeOf(() => parseCriteria('reverse', { fn: 'Erika*', role: 'owner' }))).toBe(
      'BAD_REQUEST',
    )
    expect(codeOf(() => parseCriteria('reverse', { role: 'registrant' }))).toBe('BAD_REQUEST')
  })
})
