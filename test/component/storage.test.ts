import { readdir } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { migrate } from '../../src/storage/migrate.js'
import {
  findContactByRoid,
  findDomainByName,
  findHostByName,
  findRegistrarByHandle,
  findRegistrarByIanaId,
  findRegistrarsByName,
} from '../../src/storage/registrations.js'
import { seedSynthetic, syntheticBatch } from '../../src/demo/synthetic.js'
import { openPg } from '../../src/storage/pg.js'
import { ENGINE, openTestDb, silentLog, type TestDb } from '../helpers/db.js'

describe(`storage on ${ENGINE}`, () => {
  let db: TestDb
  beforeAll(async () => {
    db = await openTestDb()
  })
  afterAll(async () => {
    await db.close()
  })

  test('when migrations run again, then nothing is applied and nothing changes', async () => {
    const before = await db.primary.query('select name from schema_migrations order by name')
    expect(await migrate(db.primary, silentLog)).toEqual([])
    expect(await migrate(db.primary, silentLog)).toEqual([])
    expect(await db.primary.query('select name from schema_migrations order by name')).toEqual(
      before,
    )
    const files = (await readdir('sql')).filter((f) => f.endsWith('.sql')).sort()
    expect(before.map((r) => r.name)).toEqual(files)
    expect(files.length).toBeGreaterThanOrEqual(4)
  })

  test('privacy.example: a natural person in the EU who gave no consent', async () => {
    const d = await findDomainByName(db.reader, 'privacy.example')
    expect(d?.contacts.registrant).toMatchObject({
      personKind: 'natural',
      consent: [],
      countryCode: 'DE',
      name: 'Erika Mustermann',
    })
    expect(d?.registrar.ianaId).toBe(1001)
    expect(d?.contacts.technical?.roid).toBe('C2001-EXAMPLE')
    // the registrant is also the administrative and billing contact: read once, in every role
    expect(d?.contacts.administrative).toEqual(d?.contacts.registrant)
    expect(d?.contacts.billing).toEqual(d?.contacts.registrant)
  })

  test('company.example: a legal person', async () => {
    const d = await findDomainByName(db.reader, 'company.example')
    expect(d?.contacts.registrant).toMatchObject({
      personKind: 'legal',
      organization: 'Example Company Ltd.',
    })
  })

  test('consent.example: a natural person who consented to publish name and e-mail', async () => {
    const d = await findDomainByName(db.reader, 'consent.example')
    expect(Object.keys(d?.contacts ?? {}).sort()).toEqual(['registrant', 'technical'])
    expect(d?.contacts.registrant).toMatchObject({
      personKind: 'natural',
      consent: ['name', 'email'],
    })
  })

  test('xn--bcher-kva.example: an IDN, bücher.example', async () => {
    const d = await findDomainByName(db.reader, 'xn--bcher-kva.example')
    expect(d?.unicodeName).toBe('bücher.example')
  })

  test('signed.example: DNSSEC with a DS record', async () => {
    const d = await findDomainByName(db.reader, 'signed.example')
    expect(d?.secureDns.delegationSigned).toBe(true)
    expect(d?.secureDns.dsData[0]).toMatchObject({ keyTag: 30909, algorithm: 13, digestType: 2 })
  })

  test('a host carries its addresses and registrar; unknown names are undefined', async () => {
    expect(await findHostByName(db.reader, 'ns1.nic.example')).toMatchObject({
      roid: 'H1-EXAMPLE',
      ipv4: ['193.0.9.53'],
    })
    expect(await findDomainByName(db.reader, 'nosuch.example')).toBeUndefined()
    expect((await findRegistrarsByName(db.reader, 'nordic names ab')).map((r) => r.ianaId)).toEqual(
      [1002],
    )
    expect((await findRegistrarsByName(db.reader, 'p')).map((r) => r.ianaId)).toEqual([1003])
  })

  test('every finder gives the values stored, timestamps as the same instants', async () => {
    const [stored] = await db.reader.query<{ contact: string; registrar: string; host: string }>(
      `select (select extract(epoch from created_at)::text from contacts where roid = 'C1001-EXAMPLE') as contact,
              (select extract(epoch from created_at)::text from registrars where iana_id = 1002) as registrar,
              (select extract(epoch from created_at)::text from hosts where ldh_name = 'ns1.nic.example') as host`,
    )
    const contact = await findContactByRoid(db.reader, 'C1001-EXAMPLE')
    const registrar = await findRegistrarByIanaId(db.reader, 1002)
    const host = await findHostByName(db.reader, 'ns1.nic.example')
    expect(contact?.created.getTime()).toBe(Number(stored!.contact) * 1000)
    expect(registrar?.created.getTime()).toBe(Number(stored!.registrar) * 1000)
    expect(host?.created.getTime()).toBe(Number(stored!.host) * 1000)
    expect(host?.ipv6).toEqual(['2001:67c:2e8:11::c100:1353'])
    expect(contact?.street).toEqual(['Heidestraße 17', 'Hinterhaus'])
    expect((await findRegistrarByHandle(db.reader, registrar!.handle))?.ianaId).toBe(1002)
    // LIKE wildcards in a name are literal characters
    expect(await findRegistrarsByName(db.reader, '%')).toEqual([])
    expect(await findRegistrarsByName(db.reader, '_')).toEqual([])
  })

  test('when tables a VACUUM left empty are seeded, then their statistics are current', async () => {
    // plans cached on "known empty" statistics would check each new domain's contacts by reading
    // them all; the seed analyzes, so the planner sees the tables as they are
    const fresh = await openTestDb({ seed: false })
    try {
      for (const table of ['registrars', 'contacts', 'domains'])
        await fresh.primary.exec(`vacuum analyze ${table}`)
      await seedSynthetic(fresh.primary, 600, () => undefined, 200)
      const stats = await fresh.primary.query<{ relname: string; reltuples: number }>(
        `select relname, reltuples::int as reltuples from pg_class
          where relname in ('contacts', 'domains') and relnamespace = to_regnamespace(current_schema())`,
      )
      const [{ n: domains }] = (await fresh.primary.query<{ n: number }>(
        'select count(*)::int as n from domains',
      )) as [{ n: number }]
      expect(domains).toBe(606)
      expect(stats.find((s) => s.relname === 'domains')?.reltuples).toBe(domains)
      expect(stats.find((s) => s.relname === 'contacts')?.reltuples).toBeGreaterThan(600)
    } finally {
      await fresh.close()
    }
  })

  test('when the synthetic registry is seeded twice, then it is the same registry, written once', async () => {
    await seedSynthetic(db.primary, 500, () => undefined, 200)
    const first = await db.primary.query(
      'select ldh_name, registrant_roid from domains order by roid',
    )
    await seedSynthetic(db.primary, 500, () => undefined, 200)
    expect(
      await db.primary.query('select ldh_name, registrant_roid from domains order by roid'),
    ).toEqual(first)
    expect(first).toHaveLength(506)
    const [stats] = await db.primary.query<Record<string, number>>(`
      select count(*) filter (where unicode_name is not null)::int as idn,
             count(*) filter (where delegation_signed)::int as signed,
             count(distinct registrar_iana_id)::int as registrars
        from domains where roid like 'D1%' and roid <> 'D1001-EXAMPLE'`)
    expect(stats!.idn).toBeGreaterThan(5)
    expect(stats!.signed).toBeGreaterThan(30)
    expect(stats!.registrars).toBe(3)
    const [people] = await db.primary.query<Record<string, number>>(`
      select count(*) filter (where person_kind = 'legal')::int as legal,
             count(*) filter (where cardinality(consent) > 0)::int as consented,
             count(*) filter (where country_code in ('DE', 'FR', 'NL', 'IT', 'ES', 'PL', 'SE', 'NO'))::int as eea,
             count(*) filter (where country_code in ('US', 'CA', 'TW', 'JP', 'BR', 'AU', 'GB', 'CH'))::int as elsewhere
        from contacts where roid like 'C1______-EXAMPLE'`)
    expect(people!.legal).toBeGreaterThan(50)
    expect(people!.consented).toBeGreaterThan(10)
    expect(people!.eea).toBeGreaterThan(100)
    expect(people!.elsewhere).toBeGreaterThan(100)
    const idn = await findDomainByName(
      db.reader,
      String(
        (
          await db.primary.query(
            'select ldh_name from domains where unicode_name is not null and roid <> $1 limit 1',
            ['D1004-EXAMPLE'],
          )
        )[0]?.ldh_name,
      ),
    )
    expect(idn?.ldhName.startsWith('xn--')).toBe(true)
  })

  ;(ENGINE === 'pg' ? test : test.skip)(
    'when DATABASE_URL carries its own options, then they apply and lookups still run on generic plans',
    async () => {
      const url = new URL(process.env.DATABASE_URL!)
      url.searchParams.set('options', `-c search_path=${db.schema} -c statement_timeout=12345`)
      const own = await openPg(url.href, silentLog)
      try {
        const [settings] = await own.query<Record<string, string>>(
          `select current_setting('plan_cache_mode') as plan, current_setting('statement_timeout') as timeout`,
        )
        expect(settings).toEqual({ plan: 'force_generic_plan', timeout: '12345ms' })
        expect((await findDomainByName(own, 'privacy.example'))?.roid).toBe('D1001-EXAMPLE')
      } finally {
        await own.close()
      }
    },
  )

  test('the synthetic generator is deterministic', () => {
    expect(syntheticBatch(10, 20)).toEqual(syntheticBatch(10, 20))
  })

  test('when two things write one row, then the constraint keeps the data whole', async () => {
    await expect(
      db.primary.query(
        `insert into contacts (roid, registrar_iana_id, consent) values ('C9-X', 1001, '{gossip}')`,
      ),
    ).rejects.toThrow()
    await expect(
      db.primary.query(
        `insert into domains (roid, ldh_name, registrar_iana_id, created_at, expires_at) values ('D9-X', 'privacy.example', 1001, now(), now())`,
      ),
    ).rejects.toThrow()
  })
})
