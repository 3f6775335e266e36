import { afterAll, beforeAll, describe, test } from '@jest/globals'
import type { Audience } from '../../src/domain/audience.js'
import type { Domain } from '../../src/domain/registration.js'
import { disclose } from '../../src/policy/engine.js'
import type { Policy } from '../../src/policy/load.js'
import { errorBody } from '../../src/rdap/errors.js'
import type { RdapResponse } from '../../src/rdap/model.js'
import type { RenderContext } from '../../src/rdap/envelope.js'
import { renderDomain, renderEntity, renderHelp, renderNameserver } from '../../src/rdap/render.js'
import {
  findContactByRoid,
  findDomainByName,
  findHostByName,
  findRegistrarByIanaId,
} from '../../src/storage/registrations.js'
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

describe('golden RDAP responses under calzone: every object type, help and the errors', () => {
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
    await expectGolden(`rdap/${file}`, `${JSON.stringify(body, null, 2)}\n`)
  })

  const golden = (file: string, body: RdapResponse) =>
    expectGolden(`rdap/${file}`, `${JSON.stringify(body, null, 2)}\n`)

  test.each<[Audience, string]>([
    ['public', 'nameserver.public.json'],
    ['registrar', 'nameserver.registrar.json'],
  ])('a name server as %s', async (audience, file) => {
    const host = (await findHostByName(db.reader, 'ns1.nic.example'))!
    await golden(file, renderNameserver(disclose(policy, { kind: 'host', host }, audience), CTX))
  })

  test('a registrar', async () => {
    const registrar = (await findRegistrarByIanaId(db.reader, 1001))!
    const d = disclose(policy, { kind: 'registrar', registrar }, 'public')
    await golden('entity.registrar.json', renderEntity(d, CTX))
  })

  test.each<[Audience, string]>([
    ['public', 'entity.contact.public.json'],
    ['accredited:law-enforcement', 'entity.contact.law-enforcement.json'],
  ])('a contact as %s', async (audience, file) => {
    const contact = (await findContactByRoid(db.reader, 'C1001-EXAMPLE'))!
    await golden(file, renderEntity(disclose(policy, { kind: 'contact', contact }, audience), CTX))
  })

  test('help', async () => {
    await golden('help.json', renderHelp(CTX, policy))
  })

  test.each([400, 401, 403, 404, 405, 429, 500, 501, 503])('the error %d', async (status) => {
    await golden(`error.${status}.json`, errorBody(status, `What went wrong (${status}).`, CTX))
  })
})
