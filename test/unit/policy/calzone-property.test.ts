import { expect, test } from '@jest/globals'
import fc from 'fast-check'
import { CONTACT_ROLES, type Contact } from '../../../src/domain/registration.js'
import { disclose, personalBeyondPublic } from '../../../src/policy/engine.js'
import { loadPolicy } from '../../../src/policy/load.js'
import { domainArb } from '../../helpers/arbitraries.js'

const policy = await loadPolicy('calzone', {
  dir: 'policies',
  secret: 'property-secret-0123456789',
})

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
