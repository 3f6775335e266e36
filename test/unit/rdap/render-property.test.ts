import { expect, test } from '@jest/globals'
import fc from 'fast-check'
import type { Audience } from '../../../src/domain/audience.js'
import { disclose } from '../../../src/policy/engine.js'
import { loadPolicy } from '../../../src/policy/load.js'
import { rdapJson } from '../../../src/rdap/serialize.js'
import type { RenderContext } from '../../../src/rdap/envelope.js'
import { renderDomain } from '../../../src/rdap/render.js'
import { domainArb } from '../../helpers/arbitraries.js'

const policy = await loadPolicy('calzone', {
  dir: 'policies',
  secret: 'property-secret-0123456789',
})
const CTX: RenderContext = {
  baseUrl: 'https://rdap.nic.example/rdap/',
  requestUrl: 'https://rdap.nic.example/rdap/domain/property.test?x="\\',
  now: new Date('2026-01-01T00:00:00Z'),
  termsUrl: 'https://www.nic.example/rdds-terms',
}

type Entity = { roles?: string[]; vcardArray: [string, [string, object, string, unknown][]] }

// whatever the stored values hold (quotes, backslashes, control characters, any script), the
// response as served must parse and carry each shown value exactly
test('any registration renders as valid JSON carrying the shown values exactly', () => {
  const audiences: Audience[] = ['public', 'registrar', 'accredited:law-enforcement']
  fc.assert(
    fc.property(domainArb, fc.constantFrom(...audiences), (domain, audience) => {
      const d = disclose(policy, { kind: 'domain', domain }, audience)
      const response = renderDomain(d, CTX)
      // the served text, with its cached redaction entries, is exactly the response's JSON
      const text = rdapJson(response)
      expect(text).toBe(JSON.stringify(response))
      const body = JSON.parse(text)
      expect(body.ldhName).toBe('property.test')
      expect(body.links[0].value).toBe(CTX.requestUrl)
      const registrant = (body.entities as Entity[]).find((e) => e.roles?.[0] === 'registrant')!
      const fn = registrant.vcardArray[1].find((p) => p[0] === 'fn')![3]
      const shown = d.record.kind === 'domain' ? d.record.domain.contacts.registrant : undefined
      expect(fn).toBe(shown?.name ?? '')
      if (audience !== 'public') expect(fn).toBe(domain.contacts.registrant!.name)
      const adr = registrant.vcardArray[1].find((p) => p[0] === 'adr')
      if (audience !== 'public' && adr) {
        const street = domain.contacts.registrant!.street!
        expect((adr[3] as unknown[])[2]).toEqual(street.length > 1 ? street : street[0])
      }
    }),
    { numRuns: 300 },
  )
})
