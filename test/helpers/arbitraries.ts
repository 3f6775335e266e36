import fc from 'fast-check'
import type { Contact, Domain } from '../../src/domain/registration.js'
import { domainRecord } from './records.js'

// Random registrations for property tests.
// distinctive values: a fixed marker plus random text (any code points: quotes, controls, any script), so a leak anywhere is found by substring search
const marked = (tag: string) =>
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).map((s) => `${tag}⟦${s}⟧`)
const country = fc.constantFrom('DE', 'FR', 'US', 'TW', 'BR', null)

export const contactArb = (roid: string): fc.Arbitrary<Contact> =>
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

export const domainArb: fc.Arbitrary<Domain> = fc
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
