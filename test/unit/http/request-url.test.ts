import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { requestUrlOf } from '../../../src/http/respond.js'

// the oracle parses with `new URL` itself: on Node 20 `URL.canParse` answers false for some URLs
// that parse (an IDN host) once it runs optimized, so an oracle built on it changes its mind mid-run
function parsed(target: string, origin: string): URL | undefined {
  try {
    return new URL(target, origin)
  } catch {
    return undefined
  }
}

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
        expect(requestUrlOf(o, t)).toBe(parsed(t, o)?.href ?? `${o}/`)
      }),
      { numRuns: 5000 },
    )
  })

  test('a target naming an IDN host is parsed the same however often it is asked', () => {
    // thousands of calls get URL parsing optimized, where Node 20's URL.canParse misreads IDN hosts
    const answers = new Set<string>()
    for (let i = 0; i < 20_000; i++)
      answers.add(requestUrlOf('http://127.0.0.1:8080', i % 2 ? '///ü.example' : '///b\nü.example'))
    expect([...answers].sort()).toEqual(['http://xn--b-eha.example/', 'http://xn--tda.example/'])
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
