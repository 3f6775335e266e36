import { afterAll, beforeAll, describe, test } from '@jest/globals'
import type { Audience } from '../../src/domain/audience.js'
import type { Domain } from '../../src/domain/registration.js'
import { disclose } from '../../src/policy/engine.js'
import type { Policy } from '../../src/policy/load.js'
import { renderDomain, type RenderContext } from '../../src/rdap/render.js'
import { findDomainByName } from '../../src/storage/registrations.js'
import { loadTestPolicy } from '../helpers/app.js'
import { openTestDb, type TestDb } from '../helpers/db.js'
import { expectGolden } from '../helpers/golden.js'

// volatile values come from the context, fixed here, never scrubbed afterwards
const CTX: RenderContext = {
  baseUrl: 'https://rdap.nic.example/rdap/',
  requestUrl: 'https://rdap.nic.example/rdap/domain/privacy.example',
  now: new Date('2026-01-01T00:00:00Z'),
  termsUrl: 'https://www.nic.example/rdds-terms',
  port43: 'whois.nic.example',
}

describe('golden RDAP responses for privacy.example under calzone', () => {
  let db: TestDb
  let policy: Policy
  let domain: Domain
  beforeAll(async () => {
    db = await openTestDb()
    policy = await loadTestPolicy()
    domain = (await findDomainByName(db.reader, 'privacy.example'))!
  })
  afterAll(async () => {
    await db.close()
  })

  test.each<[Audience, string]>([
    ['public', 'domain.public.json'],
    ['registrar', 'domain.registrar.json'],
    ['accredited:law-enforcement', 'domain.law-enforcement.json'],
  ])('as %s', async (audience, file) => {
    const body = renderDomain(disclose(policy, { kind: 'domain', domain }, audience), CTX)
    await expectGolden(`rdap/${file}`, `${JSON.stringify(JSON.parse(body), null, 2)}\n`)
  })
})
