import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { requestUrlOf } from '../../../src/rdap/respond.js'

describe('requestUrlOf', () => {
  // origins as URL writes them, and request targets near the shortcut: dot segments, '//', what URL
  // escapes in a path or a query, percent escapes, a fragment
  const origin = fc
    .constantFrom(
      'http://127.0.0.1:8080',
      'https://rdap.nic.example',
      'http://[::1]:9',
      'http://a.b',
    )
    .map((o) => new URL(o).origin)
  const piece = fc.oneof(
    fc.stringMatching(/^[a-z0-9.-]{0,12}$/),
    fc.constantFrom(
      '/',
      '//',
      '/.',
      '/..',
      '/./',
      '?',
      '#',
      '%2e',
      '%2E%2e',
      "'",
      ' ',
      '"',
      '<',
      '>',
    ),
    fc.constantFrom('\\', '^', '`', '{', '}', '|', 'ü', '%', '!$&()*+,;=:@~_', '\t', '\n'),
  )
  const target = fc.array(piece, { maxLength: 8 }).map((p) => `/${p.join('')}`)

  test('it is the URL a parser makes of the target on that origin, or the root if none', () => {
    fc.assert(
      fc.property(origin, target, (o, t) => {
        expect(requestUrlOf(o, t)).toBe(URL.canParse(t, o) ? new URL(t, o).href : `${o}/`)
      }),
      { numRuns: 5000 },
    )
  })

  test('a target beginning with // names another host, and is parsed as such', () => {
    expect(requestUrlOf('http://rdap.example', '//evil.example/x')).toBe('http://evil.example/x')
    expect(requestUrlOf('http://rdap.example', '/rdap/../x')).toBe('http://rdap.example/x')
    expect(requestUrlOf('http://rdap.example', '/\\')).toBe('http://rdap.example/')
    expect(requestUrlOf('http://rdap.example', '/rdap/domain/a.example?x=1')).toBe(
      'http://rdap.example/rdap/domain/a.example?x=1',
    )
  })
})
