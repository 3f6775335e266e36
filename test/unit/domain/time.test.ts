import { expect, test } from '@jest/globals'
import fc from 'fast-check'
import { utcSeconds } from '../../../src/domain/time.js'

const isoToTheSecond = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

test('any date of a four-digit year shows as its ISO 8601 UTC form to the whole second', () => {
  const fourDigitYears = fc.date({
    min: new Date('1000-01-01T00:00:00.000Z'),
    max: new Date('9999-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  })
  fc.assert(
    fc.property(fourDigitYears, (d) => expect(utcSeconds(d)).toBe(isoToTheSecond(d))),
    { numRuns: 5000 },
  )
})

test('any other date shows as its ISO form too', () => {
  fc.assert(
    fc.property(fc.date({ noInvalidDate: true }), (d) =>
      expect(utcSeconds(d)).toBe(isoToTheSecond(d)),
    ),
  )
})

test.each([
  ['2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05Z'],
  ['1999-12-31T23:59:59.999Z', '1999-12-31T23:59:59Z'],
  ['1000-01-01T00:00:00.000Z', '1000-01-01T00:00:00Z'],
  ['9999-12-31T23:59:59.000Z', '9999-12-31T23:59:59Z'],
  ['0999-06-15T12:00:00.000Z', '0999-06-15T12:00:00Z'],
  ['+010000-01-01T00:00:00.000Z', '+010000-01-01T00:00:00Z'],
])('%s shows as %s', (iso, shown) => {
  expect(utcSeconds(new Date(iso))).toBe(shown)
})

test('an invalid date is refused, not shown', () => {
  expect(() => utcSeconds(new Date(Number.NaN))).toThrow(RangeError)
})
