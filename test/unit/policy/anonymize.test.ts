import { describe, expect, test } from '@jest/globals'
import { addressTokens } from '../../../src/policy/anonymize.js'

describe('anonymized address tokens', () => {
  test('a token is the same each time and in every process with the secret, and differs per contact, name and role', () => {
    const kept = addressTokens('the server secret, long enough')
    const inputs = ['C1-EX', 'C2-EX'].flatMap((roid) =>
      ['one.example', 'two.example'].flatMap((name) =>
        ['registrant', 'technical'].map((role) => [roid, name, role] as const),
      ),
    )
    const first = inputs.map((i) => kept.make(...i))
    expect(new Set(first).size).toBe(inputs.length)
    // asked again in another order, and by another process with the same secret (the relay's)
    const fresh = addressTokens('the server secret, long enough')
    for (const i of [...inputs.keys()].reverse()) {
      expect(kept.make(...inputs[i]!)).toBe(first[i])
      expect(fresh.make(...inputs[i]!)).toBe(first[i])
      expect(kept.verifies(kept.read(first[i]!)!, ...inputs[i]!)).toBe(true)
    }
    expect(addressTokens('another secret, long enough too').make(...inputs[0]!)).not.toBe(first[0])
  })
})
