import { addressTokens } from '../../../src/policy/anonymize.js'

describe('anonymized address tokens', () => {
  test('a token made again is the one made the first time, for each contact, name and role', () => {
    const kept = addressTokens('the server secret, long enough')
    const inputs = ['C1-EX', 'C2-EX'].flatMap((roid) =>
      ['one.example', 'two.example'].flatMap((name) =>
        ['registrant', 'technical'].map((role) => [roid, name, role] as const),
      ),
    )
    const first = inputs.map((i) => kept.make(...i))
    expect(new Set(first).size).toBe(inputs.length)
    // asked again in another order, from the same tokens and from a fresh one with the same secret
    const fresh = addressTokens('the server secret, long enough')
    for (const i of [...inputs.keys()].reverse()) {
      expect(kept.make(...inputs[i]!)).toBe(first[i])
      expect(fresh.make(...inputs[i]!)).toBe(first[i])
      expect(kept.verifies(kept.read(first[i]!)!, ...inputs[i]!)).toBe(true)
    }
    expect(addressTokens('another secret, long enough too').make(...inputs[0]!)).not.toBe(first[0])
  })
})
