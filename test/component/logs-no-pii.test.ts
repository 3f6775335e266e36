import { Writable } from 'node:stream'
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import request from 'supertest'
import { addAccreditation } from '../../src/auth/accreditations.js'
import { buildIssuers } from '../../src/auth/issuers.js'
import { createLogger } from '../../src/log.js'
import { ENGINE } from '../helpers/db.js'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { PRIVACY_REGISTRANT_VALUES } from '../helpers/rdap.js'
import { makeKey, signToken, writeJwksFile } from '../helpers/tokens.js'

const lines: string[] = []
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(String(chunk))
    done()
  },
})

let t: TestApp
let token: string
beforeAll(async () => {
  const key = await makeKey('k')
  const issuers = await buildIssuers(
    [
      {
        iss: 'https://la.test',
        audience: 'rdap',
        jwksFile: await writeJwksFile([key]),
        grants: ['accredited:law-enforcement'],
      },
    ],
    '/',
  )
  t = await startTestApp({ issuers, log: createLogger({ LOG_LEVEL: 'trace' }, sink) })
  await addAccreditation(
    t.db.primary,
    {
      id: 'acc',
      holder: 'Police',
      issuer: 'https://la.test',
      purposes: ['law-enforcement'],
    },
    { operator: 'test', host: 'localhost' },
  )
  token = await signToken(key, {
    iss: 'https://la.test',
    aud: 'rdap',
    claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc' },
  })
})
afterAll(async () => {
  await t.close()
})

test(`no log line contains a token or a personal value (${ENGINE})`, async () => {
  const auth = { Authorization: `Bearer ${token}` }
  await request(t.app).get('/rdap/domain/privacy.example').expect(200)
  await request(t.app).get('/rdap/domain/privacy.example').set(auth).expect(200)
  await request(t.app).get('/rdap/entity/C1001-EXAMPLE?q=Erika').set(auth).expect(200)
  await request(t.app)
    .get('/rdap/domain/privacy.example')
    .set('Authorization', `Bearer ${token}x`)
    .expect(401)
  await request(t.app).get('/rdap/domain/a..b?email=erika.mustermann@mail.example').expect(400)
  expect(lines.length).toBeGreaterThanOrEqual(5)
  const all = lines.join('')
  expect(all).not.toContain(token.slice(0, 40))
  expect(all).not.toContain(token.split('.')[2]!)
  for (const value of PRIVACY_REGISTRANT_VALUES.filter((v) => v !== 'C1001-EXAMPLE'))
    expect(all).not.toContain(value)
  // the path as the client asked for it, without the query string
  expect(all).toContain('"path":"/rdap/domain/privacy.example"')
  expect(all).toContain('"path":"/rdap/entity/C1001-EXAMPLE"')
  expect(all).not.toContain('q=Erika')
})
