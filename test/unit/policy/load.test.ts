import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import {
  compilePolicy,
  compileTemplate,
  loadPolicy,
  PolicyError,
} from '../../../src/policy/load.js'

const SECRET = 'load-test-secret-0123456789'

function problemsOf(text: string): string[] {
  try {
    compilePolicy(text, 'policies/bad.yaml', SECRET, 'bad')
  } catch (err) {
    if (err instanceof PolicyError) return [...err.problems]
    throw err
  }
  throw new Error('the policy loaded')
}

describe('compilePolicy', () => {
  test('when the YAML is malformed, then the problem has a line and column', () => {
    expect(problemsOf('version: 1\nname: bad\nfields: {\n')).toEqual([
      expect.stringMatching(/^policies\/bad\.yaml:\d+:\d+ /),
    ])
  })

  test('when a key is duplicated, then it is an error with its position', () => {
    const problems = problemsOf(
      'version: 1\nversion: 2\nname: bad\naudiences: [public]\nfields: {}\n',
    )
    expect(problems[0]).toMatch(/^policies\/bad\.yaml:2:1 .*unique/)
  })

  test('when several things are wrong, then all are reported at once with line:col', () => {
    const text = [
      'version: 1',
      'name: bad',
      'audiences: [public, accredited:law-enforcement]',
      'colour: blue',
      'fields:',
      '  registrant.emial: { show: everyone }',
      '  registrant.city: { show: [public], otherwise: sideways }',
      '  registrant.name: { shown: everyone }',
      '',
    ].join('\n')
    const problems = problemsOf(text)
    expect(problems).toHaveLength(5)
    expect(problems).toEqual(
      expect.arrayContaining([
        'policies/bad.yaml:4:1 colour: unknown key',
        'policies/bad.yaml:6:3 fields.registrant.emial: not a field of the catalogue (src/policy/fields.ts)',
        'policies/bad.yaml:7:49 fields.registrant.city.otherwise: must be one of removal, emptyValue, replacementValue, or { method, with }',
        'policies/bad.yaml:8:20 fields.registrant.name.show: must be everyone or a list of audiences',
        'policies/bad.yaml:8:22 fields.registrant.name.shown: unknown key',
      ]),
    )
  })

  test('when cross-checks fail, then each is reported where it stands', () => {
    const text = [
      'version: 1',
      'name: other',
      'audiences: [registrar]',
      'fields:',
      '  registrant.phone: { show: [accredited:cybersecurity], otherwise: emptyValue }',
      '  registrant.email: { show: [registrar], otherwise: replacementValue }',
      '  technical.email: { show: [registrar], otherwise: { method: replacementValue, with: "{roid}@x.test" } }',
      '  domain.statuses: { show: everyone, alsoWhen: [legalPerson] }',
      '  registrant.city: { show: [registrar], otherwise: { method: removal, with: "x" } }',
      '  billing.email: { show: [registrar], otherwise: { method: replacementValue, with: "not an address" } }',
      '',
    ].join('\n')
    const problems = problemsOf(text)
    const expected = [
      /:2:7 name: is "other" but the file is bad\.yaml/,
      /:3:12 audiences: must include public/,
      /:5:\d+ fields\.registrant\.phone\.show\.0: audience accredited:cybersecurity is not declared/,
      /:5:\d+ fields\.registrant\.phone\.otherwise: registrant\.phone can be withheld by removal, not emptyValue/,
      /:6:\d+ fields\.registrant\.email\.otherwise: replacementValue needs a "with" template/,
      /:7:\d+ fields\.technical\.email\.otherwise\.with: unknown placeholder\(s\) \{roid\}/,
      /:8:\d+ fields\.domain\.statuses\.alsoWhen: conditions apply to contact fields only/,
      /:9:\d+ fields\.registrant\.city\.otherwise\.with: only replacementValue takes a template/,
      /:10:\d+ fields\.billing\.email\.otherwise\.with: must be an https URL \(web form\) or an e-mail address/,
    ]
    expect(problems).toHaveLength(expected.length)
    for (const re of expected) expect(problems.some((p) => re.test(p))).toBe(true)
  })

  test('when countries scope lists none, then it is an error', () => {
    expect(
      problemsOf(
        'version: 1\nname: bad\naudiences: [public]\nscope: { applies: countries }\nfields: {}\n',
      ),
    ).toEqual([expect.stringMatching(/scope\.countries: list the countries/)])
  })

  test('when NO is a country, then YAML 1.2 keeps it a string', () => {
    const p = compilePolicy(
      'version: 1\nname: ok\naudiences: [public]\nscope: { applies: countries, countries: [NO, DE] }\nfields: {}\n',
      'ok.yaml',
      SECRET,
    )
    expect([...p.scope.countries]).toEqual(['NO', 'DE'])
  })

  test('when aliases explode, then loading refuses', () => {
    const bomb = [
      'version: 1',
      'name: bad',
      'audiences: [public]',
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'fields: {}',
      '',
    ].join('\n')
    expect(problemsOf(bomb).length).toBeGreaterThan(0)
  })

  test('when the file does not exist, then it says which', async () => {
    await expect(loadPolicy('nope', { dir: 'policies', secret: SECRET })).rejects.toThrow(
      /policies\/nope\.yaml:1:1 cannot read/,
    )
  })

  test.each(['calzone', 'temp-spec', 'rdp-2025', 'thick-whois'])(
    'the shipped policy %s loads',
    async (name) => {
      const p = await loadPolicy(name, { dir: 'policies', secret: SECRET })
      expect(p.name).toBe(name)
      expect(p.audiences.has('public')).toBe(true)
    },
  )
})

describe('compileTemplate', () => {
  const placeholder = fc.constantFrom('{hmac}', '{ldhName}', '{role}')
  // literal text that may look like a placeholder without being one
  const literal = fc.oneof(fc.string(), fc.constantFrom('{', '}', '{hma}', '{{hmac}', '$&', '$1'))
  const values = fc.record({ hmac: fc.string(), ldhName: fc.string(), role: fc.string() })

  test('a filled template is the template with each placeholder replaced by its value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(placeholder, literal), { maxLength: 8 }),
        values,
        (pieces, v) => {
          const template = pieces.join('')
          const expected = template.replace(
            /\{(hmac|ldhName|role)\}/g,
            (_, key: keyof typeof v) => v[key],
          )
          expect(compileTemplate(template)(v)).toBe(expected)
        },
      ),
    )
  })

  test('placeholders are filled wherever they stand, as often as they stand', () => {
    const fill = compileTemplate('{role}-{hmac}@{ldhName}/{hmac}')
    expect(fill({ hmac: 'ab12', ldhName: 'example.example', role: 'registrant' })).toBe(
      'registrant-ab12@example.example/ab12',
    )
  })
})
