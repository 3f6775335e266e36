import { expect, test } from '@jest/globals'
import fc from 'fast-check'
import { CONTACT_ROLES, type Contact, type Domain } from '../../../src/domain/registration.js'
import { disclose, personalBeyondPublic } from '../../../src/policy/engine.js'
import { loadPolicy } from '../../../src/policy/load.js'
import { domainRecord } from '../../helpers/records.js'

const policy = await loadPolicy('calzone', {
  dir: 'policies',
  secret: 'property-secret-0123456789',
})

// distinctive values: a fixed marker plus random text, so a leak anywhere is found by substring search
const marked = (tag: string) =>
  fc.string({ minLength: 1, maxLength: 12 }).map((s) => `${tag}⟦${s}⟧`)
const country = fc.constantFrom('DE', 'FR', 'US', 'TW', 'BR', null)

const contactArb = (roid: string): fc.Arbitrary<Contact> =>
  fc.record({
    roid: fc.constant(roid),
    name: marked('NAME'),
    organization: fc.option(fc.constant('Org Ltd'), { nil: null }),
    street: fc.array(marked('STREET'), { minLength: 1, maxLength: 3 }),
    city: marked('CITY'),
    stateProvince: fc.option(fc.constant('ST'), { nil: null }),
    postalCode: marked('POSTAL'),
    countryCode: country,
    phone: marked('PHONE'),
    phoneExt: fc.option(marked('EXT'), { nil: null }),
    fax: fc.option(marked('FAX'), { nil: null }),
    faxExt: fc.option(marked('FAXEXT'), { nil: null }),
    email: marked('EMAIL'),
    personKind: fc.constantFrom('natural' as const, 'legal' as const),
    consent: fc.constant([]),
    registrarIanaId: fc.constant(1),
    created: fc.constant(new Date(0)),
    updated: fc.constant(null),
  })

const domainArb: fc.Arbitrary<Domain> = fc
  .record({
    registrant: contactArb('C1-P'),
    administrative: fc.option(contactArb('C2-P'), { nil: undefined }),
    technical: fc.option(contactArb('C3-P'), { nil: undefined }),
    billing: fc.option(contactArb('C4-P'), { nil: undefined }),
  })
  .map((contacts) =>
    domainRecord(Object.fromEntries(Object.entries(contacts).filter(([, c]) => c !== undefined)), {
      roid: 'D1-P',
      ldhName: 'property.test',
    }),
  )

test('under calzone, the public view of any registration contains none of the withheld personal values', () => {
  fc.assert(
    fc.property(domainArb, (domain) => {
      const d = disclose(policy, { kind: 'domain', domain }, 'public')
      const text = JSON.stringify(d.record)
      for (const w of d.withheld) {
        if (!w.personal) continue
        const contact = domain.contacts[w.group as (typeof CONTACT_ROLES)[number]]
        const value = contact?.[w.key as keyof Contact]
        for (const v of Array.isArray(value) ? value : [value]) {
          // distinctive values only: a country code may rightly be shown for another contact
          if (typeof v === 'string' && (v.includes('⟦') || v.endsWith('-P')))
            expect(text).not.toContain(v)
        }
      }
      // and the markers of the always-withheld kinds never appear at all
      for (const marker of [
        'NAME⟦',
        'STREET⟦',
        'CITY⟦',
        'POSTAL⟦',
        'PHONE⟦',
        'FAX⟦',
        'EMAIL⟦',
        'C1-P',
      ]) {
        expect(text).not.toContain(marker)
      }
    }),
    { numRuns: 300 },
  )
})

test('personalBeyondPublic names exactly the personal fields an audience sees that the public does not', () => {
  const audiences = [
    'registrar',
    'accredited:law-enforcement',
    'accredited:ip-protection',
    'public',
  ] as const
  fc.assert(
    fc.property(
      domainArb,
      fc.constantFrom(...audiences),
      fc.boolean(),
      (domain, audience, consented) => {
        const d0 = consented
          ? {
              ...domain,
              contacts: {
                ...domain.contacts,
                registrant: { ...domain.contacts.registrant!, consent: ['name' as const] },
              },
            }
          : domain
        const object = { kind: 'domain' as const, domain: d0 }
        const d = disclose(policy, object, audience)
        const publicShown = new Set(disclose(policy, object, 'public').shown)
        const expected = d.shown.filter(
          (p) => !p.startsWith('domain.') && !p.startsWith('registrar.') && !publicShown.has(p),
        )
        expect(personalBeyondPublic(policy, object, d)).toEqual(expected)
      },
    ),
    { numRuns: 200 },
  )
})
