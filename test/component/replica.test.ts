import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import request from 'supertest'
import { createAuditLog } from '../../src/audit/disclosures.js'
import { addAccreditation, setAccreditationStatus } from '../../src/auth/accreditations.js'
import { buildIssuers } from '../../src/auth/issuers.js'
import { createOperatorVerifier } from '../../src/auth/operator-tokens.js'
import { createVerifier } from '../../src/auth/tokens.js'
import { createApp } from '../../src/http/app.js'
import { openDatabases, type Databases } from '../../src/storage/db.js'
import { loadTestPolicy, searchParts, TEST_SITE } from '../helpers/app.js'
import { ENGINE, openTestDb, silentLog, type TestDb } from '../helpers/db.js'
import { startReplicatedPair, type ReplicatedPair } from '../helpers/replica.js'
import { makeKey, signToken, writeJwksFile } from '../helpers/tokens.js'

const BY = { operator: 'test', host: 'localhost' }

// a primary and its streaming replica, made by the test: the PostgreSQL lane only
;(ENGINE === 'pg' ? describe : describe.skip)(
  'lookups from a read replica (PostgreSQL streaming replication)',
  () => {
    let own: TestDb | undefined
    let pair: ReplicatedPair | undefined
    let dbs: Databases
    let app: ReturnType<typeof createApp>
    let le: string
    let registrar: string

    beforeAll(async () => {
      try {
        pair = await startReplicatedPair()
      } catch (err) {
        if (process.env.CI) throw err
        console.warn(
          `replica test skipped: no streaming replica could be made here (${(err as Error).message.split('\n')[0]})`,
        )
        return
      }
      own = await openTestDb({ url: pair.primaryUrl }) // a schema with the demo registry
      const primaryUrl = new URL(pair.primaryUrl)
      primaryUrl.searchParams.set('options', `-c search_path=${own.schema}`)
      const replicaUrl = new URL(pair.replicaUrl)
      replicaUrl.searchParams.set('options', `-c search_path=${own.schema}`)
      dbs = await openDatabases(
        { DATABASE_URL: primaryUrl.href, DATABASE_READ_URL: replicaUrl.href },
        silentLog,
      )
      const [laKey, portalKey] = await Promise.all([makeKey('la-1'), makeKey('portal-1')])
      const issuers = await buildIssuers(
        [
          {
            iss: 'https://la.test',
            audience: 'rdap',
            jwksFile: await writeJwksFile([laKey]),
            grants: ['accredited:law-enforcement'],
          },
          {
            iss: 'https://portal.test',
            audience: 'rdap',
            jwksFile: await writeJwksFile([portalKey]),
            grants: ['registrar'],
          },
        ],
        '/',
      )
      await addAccreditation(
        dbs.primary,
        {
          id: 'acc-le',
          holder: 'Police',
          issuer: 'https://la.test',
          purposes: ['law-enforcement'],
        },
        BY,
      )
      le = await signToken(laKey, {
        iss: 'https://la.test',
        aud: 'rdap',
        claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le' },
      })
      registrar = await signToken(portalKey, {
        iss: 'https://portal.test',
        aud: 'rdap',
        sub: 'registrar-1001',
        claims: { registrar_iana_id: 1001 },
      })
      // the server's wiring: lookups from the reader (the replica), access decided on the primary
      app = createApp({
        reader: dbs.reader,
        ...searchParts(dbs.search),
        primary: dbs.primary,
        policy: await loadTestPolicy(),
        audit: createAuditLog(dbs.primary),
        log: silentLog,
        verifyBearer: createVerifier({ issuers, db: dbs.primary }),
        verifyOperator: createOperatorVerifier(issuers),
        site: TEST_SITE,
      })
    }, 120_000)
    afterAll(async () => {
      await dbs?.close()
      await own?.close()
      await pair?.stop()
    })

    const registrantName = async () => {
      const res = await request(app)
        .get('/rdap/domain/privacy.example')
        .set('Authorization', `Bearer ${registrar}`)
      expect(res.status).toBe(200)
      const registrant = (
        res.body.entities as Array<{ roles: string[]; vcardArray: [string, unknown[][]] }>
      ).find((e) => e.roles.includes('registrant'))!
      return registrant.vcardArray[1].find((p) => p[0] === 'fn')![3]
    }

    test('a revocation takes effect at once while the replica lags; registration data follows the replica', async () => {
      if (!pair) return
      // the replica has the schema once it has replayed its creation
      const until = Date.now() + 30_000
      for (;;) {
        const res = await request(app).get('/rdap/domain/privacy.example')
        if (res.status === 200) break
        if (Date.now() > until) throw new Error(`the replica never caught up: ${res.status}`)
        await new Promise((r) => setTimeout(r, 200))
      }
      await request(app)
        .get('/rdap/domain/privacy.example')
        .set('Authorization', `Bearer ${le}`)
        .expect(200)
      expect(await registrantName()).toBe('Erika Mustermann')

      await dbs.reader.query('select pg_wal_replay_pause()')
      try {
        await setAccreditationStatus(dbs.primary, 'acc-le', 'revoke', BY)
        await dbs.primary.query(
          "update contacts set name = 'Erika Changed' where roid = 'C1001-EXAMPLE'",
        )
        // access is decided on the primary: refused at the next request, whatever the replica says
        await request(app)
          .get('/rdap/domain/privacy.example')
          .set('Authorization', `Bearer ${le}`)
          .expect(403)
        // registration data is as old as the replica: the change is not there yet
        expect(await registrantName()).toBe('Erika Mustermann')
      } finally {
        await dbs.reader.query('select pg_wal_replay_resume()')
      }
      const caughtUp = Date.now() + 30_000
      while ((await registrantName()) !== 'Erika Changed') {
        if (Date.now() > caughtUp) throw new Error('the replica did not replay the change')
        await new Promise((r) => setTimeout(r, 100))
      }
      await request(app)
        .get('/rdap/domain/privacy.example')
        .set('Authorization', `Bearer ${le}`)
        .expect(403)
    }, 120_000)
  },
)
