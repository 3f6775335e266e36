import { describe, expect, test } from '@jest/globals'
import { normalizeDomainName } from '../../../src/domain/names.js'

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
})
