import { describe, expect, test } from '@jest/globals'
import type { Contact, Domain } from '../../../src/domain/registration.js'
import { domainRecord } from '../../helpers/records.js'
import { disclose } from '../../../src/policy/engine.js'
import { planPolicy } from '../../../src/policy/plan.js'
import { compilePolicy, type Policy } from '../../../src/policy/load.js'

const SECRET = 'engine-test-secret-0123456789'

function policy(fields: string, extra = ''): Policy {
  const text = `version: 3\nname: inline\naudiences: [public, registrar, accredited:law-enforcement]\n${extra}\nfields:\n${fields}`
  return compilePolicy(text, 'inline.yaml', SECRET)
}

const contact = (over: Partial<Contact> = {}): Contact => ({
  roid: 'C1-T',
  name: 'Ada Lovelace',
  organization: 'Analytical Ltd',
  street: ['12 St James Square'],
  city: 'London',
  stateProvince: 'LND',
  postalCode: 'SW1Y 4JH',
  countryCode: 'GB',
  phone: '+44.2071234567',
  phoneExt: '9',
  fax: null,
  faxExt: null,
  email: 'ada@mail.test',
  personKind: 'natural',
  consent: [],
  registrarIanaId: 1,
  created: new Date(0),
  updated: null,
  ...over,
})

const domain = (registrant: Contact = contact()): Domain => domainRecord({ registrant })

const view = (p: Policy, d: Domain, audience: Parameters<typeof disclose>[2] = 'public') => {
  const result = disclose(p, { kind: 'domain', domain: d }, audience)
  if (result.record.kind !== 'domain') throw new Error('not a domain')
  return {
    result,
    registrant: result.record.domain.contacts.registrant ?? {},
    domain: result.record.domain,
  }
}

describe('disclose', () => {
  test('when a field is named for everyone, then every audience sees it', () => {
    const p = policy('  registrant.city: { show: everyone }')
    for (const a of ['public', 'registrar', 'accredited:law-enforcement'] as const) {
      expect(view(p, domain(), a).registrant.city).toBe('London')
    }
  })

  test('when no rule names a field, then it is withheld from every audience (fail closed)', () => {
    const p = policy('  registrant.city: { show: everyone }')
    const { result, registrant, domain: d } = view(p, domain(), 'accredited:law-enforcement')
    expect(registrant.email).toBeUndefined()
    expect(registrant.phone).toBeUndefined()
    expect(d.statuses).toBeUndefined()
    expect(result.withheld.map((w) => w.path)).toEqual(
      expect.arrayContaining(['registrant.email', 'domain.statuses']),
    )
    // a name with no rule is emptied, the only way the catalogue allows for the jCard fn
    expect(result.withheld.find((w) => w.path === 'registrant.name')?.method).toBe('emptyValue')
  })

  test('when an audience is listed, then it sees the field and others get the method', () => {
    const p = policy(
      '  registrant.phone: { show: [accredited:law-enforcement], otherwise: removal }',
    )
    expect(view(p, domain(), 'accredited:law-enforcement').registrant.phone).toBe('+44.2071234567')
    const pub = view(p, domain(), 'public')
    expect(pub.registrant.phone).toBeUndefined()
    expect(pub.result.withheld).toContainEqual(
      expect.objectContaining({ path: 'registrant.phone', method: 'removal', personal: true }),
    )
    expect(view(p, domain(), 'registrar').registrant.phone).toBeUndefined()
  })

  test('when the method is emptyValue, then the value is emptied, not removed', () => {
    const p = policy(
      '  registrant.name: { show: [registrar], otherwise: emptyValue }\n  registrant.street: { show: [registrar], otherwise: emptyValue }',
    )
    const { registrant, result } = view(p, domain())
    expect(registrant.name).toBe('')
    expect(registrant.street).toEqual([])
    const emptied = result.withheld.filter((w) => w.method === 'emptyValue').map((w) => w.path)
    expect(emptied).toEqual(expect.arrayContaining(['registrant.name', 'registrant.street']))
  })

  test('when the method is replacementValue with an address template, then an anonymized valid address stands in', () => {
    const p = policy(
      '  registrant.email: { show: [registrar], otherwise: { method: replacementValue, with: "{hmac}@anon.test" } }',
    )
    const { registrant, result } = view(p, domain())
    expect(registrant.email).toMatch(/^[0-9a-f]{32}@anon\.test$/)
    expect(registrant.email).not.toContain('ada')
    expect(result.withheld.find((w) => w.path === 'registrant.email')).toMatchObject({
      path: 'registrant.email',
      method: 'replacementValue',
      replacement: { kind: 'email', value: registrant.email },
    })
  })

  test('when anonymized, then the address differs per domain and cannot be linked across registrations', () => {
    const p = policy(
      '  registrant.email: { show: [registrar], otherwise: { method: replacementValue, with: "{hmac}@anon.test" } }',
    )
    const a = view(p, domain()).registrant.email
    const b = view(p, { ...domain(), ldhName: 'other.test' }).registrant.email
    expect(a).not.toBe(b)
    expect(view(p, domain()).registrant.email).toBe(a) // stable for the same domain
  })

  test('when the template is a web form, then the replacement is a URI without the address', () => {
    const p = policy(
      '  registrant.email: { show: [registrar], otherwise: { method: replacementValue, with: "https://rdds.test/contact/{ldhName}/{role}/{hmac}" } }',
    )
    const { registrant, result } = view(p, domain())
    expect(registrant.email).toMatch(
      /^https:\/\/rdds\.test\/contact\/engine\.test\/registrant\/[0-9a-f]{32}$/,
    )
    expect(result.withheld.find((w) => w.path === 'registrant.email')?.replacement?.kind).toBe(
      'uri',
    )
  })

  test('when the contact consented, then contactConsented shows the consented group only', () => {
    const p = policy(
      '  registrant.name: { show: [registrar], alsoWhen: [contactConsented], otherwise: emptyValue }\n  registrant.phone: { show: [registrar], alsoWhen: [contactConsented] }',
    )
    const { registrant } = view(p, domain(contact({ consent: ['name'] })))
    expect(registrant.name).toBe('Ada Lovelace')
    expect(registrant.phone).toBeUndefined()
  })

  test('when the contact is a legal person, then legalPerson shows the field', () => {
    const p = policy(
      '  registrant.name: { show: [registrar], alsoWhen: [legalPerson], otherwise: emptyValue }',
    )
    expect(view(p, domain(contact({ personKind: 'legal' }))).registrant.name).toBe('Ada Lovelace')
    expect(view(p, domain(contact({ personKind: 'natural' }))).registrant.name).toBe('')
  })

  test('when the policy is scoped to countries, then outsideScope shows contacts elsewhere but not unknown ones', () => {
    const p = policy(
      '  registrant.city: { show: [registrar], alsoWhen: [outsideScope], otherwise: emptyValue }',
      'scope: { applies: countries, countries: [DE, FR] }',
    )
    expect(view(p, domain(contact({ countryCode: 'US' }))).registrant.city).toBe('London')
    expect(view(p, domain(contact({ countryCode: 'DE' }))).registrant.city).toBe('')
    expect(view(p, domain(contact({ countryCode: null }))).registrant.city).toBe('')
    const everywhere = policy(
      '  registrant.city: { show: [registrar], alsoWhen: [outsideScope], otherwise: emptyValue }',
    )
    expect(view(everywhere, domain(contact({ countryCode: 'US' }))).registrant.city).toBe('')
  })

  test('when the audience is not declared by the policy, then it gets the public view', () => {
    const p = policy('  registrant.city: { show: [accredited:law-enforcement] }')
    const { result, registrant } = view(p, domain(), 'accredited:ip-protection')
    expect(result.audience).toBe('public')
    expect(registrant.city).toBe('') // the catalogue's default method for a city: emptied
  })

  test('when a rule throws while evaluating, then the field is withheld and the problem reported', () => {
    const p = policy('  registrant.city: { show: [registrar], alsoWhen: [contactConsented] }')
    const rules = new Map([...p.rules].map(([k, r]) => [k, { ...r, alsoWhen: ['bogus' as never] }]))
    // the plan is made as a policy loads: a policy changed afterwards needs its own
    const broken: Policy = { ...p, rules, plan: planPolicy({ rules, audiences: p.audiences }) }
    const { result, registrant } = view(broken, domain())
    expect(registrant.city).toBe('')
    expect(result.problems).toEqual([expect.stringContaining('registrant.city')])
    expect(result.withheld.find((w) => w.path === 'registrant.city')?.method).toBe('emptyValue')
  })

  test('when a value is absent, then nothing is listed as withheld for it', () => {
    const p = policy('  registrant.fax: { show: [registrar] }')
    expect(
      view(p, domain()).result.withheld.find((w) => w.path === 'registrant.fax'),
    ).toBeUndefined()
  })

  test('when a contact is looked up on its own, then a field is shown only if every role would show it', () => {
    const p = policy(
      ['registrant', 'administrative', 'technical', 'billing']
        .map((r) => `  ${r}.city: { show: everyone }`)
        .join('\n') +
        '\n  registrant.countryCode: { show: everyone }\n  technical.countryCode: { show: everyone }',
    )
    const result = disclose(p, { kind: 'contact', contact: contact() }, 'public')
    if (result.record.kind !== 'contact') throw new Error('not a contact')
    expect(result.record.handle).toBe('C1-T')
    expect(result.record.contact.city).toBe('London')
    expect(result.record.contact.countryCode).toBeUndefined()
    expect(result.withheld.map((w) => w.path)).toContain('contact.countryCode')
  })

  test('the result carries the policy name and version', () => {
    expect(view(policy('  domain.roid: { show: everyone }'), domain()).result.policy).toEqual({
      name: 'inline',
      version: 3,
    })
  })
})
