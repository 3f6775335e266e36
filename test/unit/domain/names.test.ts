import { domainToASCII, domainToUnicode } from 'node:url'
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { normalizeDomainName, unicodeNameOf } from '../../../src/domain/names.js'

describe('normalizeDomainName', () => {
  test.each([
    ['privacy.example', 'privacy.example', null],
    ['PRIVACY.Example.', 'privacy.example', null],
    ['  privacy.example  ', 'privacy.example', null],
    ['bücher.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['BÜCHER.EXAMPLE', 'xn--bcher-kva.example', 'bücher.example'],
    ['XN--BCHER-KVA.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['faß.example', 'xn--fa-hia.example', 'faß.example'],
  ])('when given %j, then the canonical name is %s', (input, ldh, unicode) => {
    expect(normalizeDomainName(input)).toEqual({ ldhName: ldh, unicodeName: unicode })
  })

  test.each([
    ['', 'empty'],
    ['.', 'empty'],
    ['a..example', 'empty label'],
    ['-a.example', 'LDH'],
    ['a_b.example', 'not allowed'],
    ['a%2e.example', 'not allowed'],
    ['a b.example', 'spaces'],
    ['a\u0000b.example', 'control'],
    [`${'a'.repeat(64)}.example`, '63'],
    [`${'abcdefghi.'.repeat(26)}example`, '253'],
    ['xn--zz.example', 'IDNA'],
    ['ab--cd.example', 'hyphens'],
    ['1.2.3.4', 'numeric'],
    ['x'.repeat(10000), 'too long'],
  ])('when given %j, then it is rejected (%s)', (input, reason) => {
    const result = normalizeDomainName(input)
    expect(result).toHaveProperty('problem')
    expect((result as { problem: string }).problem).toContain(reason)
  })

  // names near the plain-LDH shortcut: upper case, A-labels, hyphens, and top-level labels that
  // URL host parsing reads as numbers (decimal, 0x hex) or nearly does
  const label = fc.oneof(
    fc.stringMatching(/^[a-fxA-F0-9-]{1,8}$/),
    fc.stringMatching(/^[a-zA-Z0-9-]{1,12}$/),
    fc.constantFrom('xn--bcher-kva', 'XN--BCHER-KVA', 'xn--zz', 'cafe', '0x1f', '0x', '123', 'ß'),
  )
  const name = fc
    .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '.'))
    .map(([labels, dot]) => labels.join('.') + dot)

  test('an accepted name is its UTS #46 ASCII form, and its Unicode form when that differs', () => {
    fc.assert(
      fc.property(name, (input) => {
        const result = normalizeDomainName(input)
        if ('problem' in result) return
        const given = input.endsWith('.') ? input.slice(0, -1) : input
        expect(result.ldhName).toBe(domainToASCII(given))
        const unicode = domainToUnicode(result.ldhName).normalize('NFC')
        expect(result.unicodeName).toBe(unicode === result.ldhName ? null : unicode)
        expect(unicodeNameOf(result.ldhName)).toBe(result.unicodeName)
      }),
      { numRuns: 2000 },
    )
  })

  test('a name URL parsing reads as a number is rejected, in hexadecimal too', () => {
    expect(normalizeDomainName('a.0x1f')).toHaveProperty('problem')
    expect(normalizeDomainName('a.123')).toHaveProperty('problem')
    expect(normalizeDomainName('a.cafe')).toEqual({ ldhName: 'a.cafe', unicodeName: null })
  })
})
