import { expect, test } from '@jest/globals'
import fc from 'fast-check'
import { json } from '../../../src/rdap/json-text.js'

// any UTF-16 code unit, lone surrogates included: what a database text column could hand over
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n))

test('json() writes exactly what JSON.stringify writes, for any string', () => {
  fc.assert(
    fc.property(fc.string({ unit: codeUnit }), (s) => {
      expect(json(s)).toBe(JSON.stringify(s))
    }),
    { numRuns: 2000 },
  )
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      expect(json(s)).toBe(JSON.stringify(s))
    }),
  )
})

test('json() escapes what must be escaped and leaves plain text as it is', () => {
  expect(json('Sveavägen 1')).toBe('"Sveavägen 1"')
  expect(json('say "hi"\\')).toBe('"say \\"hi\\"\\\\"')
  expect(json('a\nb\u0000')).toBe('"a\\nb\\u0000"')
  expect(json('\ud800')).toBe('"\\ud800"')
  expect(json('\u2028')).toBe('"\u2028"')
  expect(json(1002)).toBe('1002')
  expect(json(true)).toBe('true')
})
