import { describe, expect, test } from '@jest/globals'
import { cursorSeal } from '../../../src/search/cursor.js'

const now = new Date('2026-12-06T12:00:00Z')

describe('search cursors', () => {
  test('every seal has an IV of its own, across refills of the pool it is cut from', () => {
    const seal = cursorSeal('a secret of the server, long enough')
    const cursors = Array.from({ length: 600 }, (_, i) =>
      seal.seal({ after: [`name-${i}.example`], page: i + 2 }, 'q\nviewer', now),
    )
    const ivs = new Set(
      cursors.map((c) => Buffer.from(c, 'base64url').subarray(0, 12).toString('hex')),
    )
    expect(ivs.size).toBe(cursors.length)
    cursors.forEach((c, i) =>
      expect(seal.open(c, 'q\nviewer', now)).toEqual({ after: [`name-${i}.example`], page: i + 2 }),
    )
  })

  test('a cursor opens only with its binding, under the same secret, before it expires', () => {
    const seal = cursorSeal('a secret of the server, long enough')
    const cursor = seal.seal({ after: ['a.example', null], page: 3 }, 'q\nviewer', now)
    expect(
      cursorSeal('a secret of the server, long enough').open(cursor, 'q\nviewer', now),
    ).toEqual({
      after: ['a.example', null],
      page: 3,
    })
    expect(() => seal.open(cursor, 'q\nanother viewer', now)).toThrow(/not valid/)
    expect(() =>
      cursorSeal('another secret, long enough too').open(cursor, 'q\nviewer', now),
    ).toThrow(/not valid/)
    expect(() => seal.open(cursor, 'q\nviewer', new Date(now.getTime() + 61 * 60_000))).toThrow(
      /expired/,
    )
  })
})
