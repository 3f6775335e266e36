import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { Readable, Writable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import request from 'supertest'
import { buildIssuers } from '../../src/auth/issuers.js'
import { DepositError, importDeposit, type ImportSummary } from '../../src/ingest/import.js'
import { exportDeposit } from '../../src/ingest/rde-write.js'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { makeKey, signToken, writeJwksFile } from '../helpers/tokens.js'

// A hand-written FULL deposit for .tw and .台灣, then a DIFF, through `importDeposit` (what `rdds
// import` runs), answered over RDAP for each tier; broken deposits change nothing.

const FIXTURES = new URL('../fixtures/deposits/', import.meta.url)
const fixture = (name: string) => readFile(new URL(name, FIXTURES), 'utf8')
const fromText = (text: string | Buffer) => Readable.from([Buffer.from(text)])

const ISS = 'https://registry.test'
let t: TestApp
let tokens: { law: string; hinet: string; pacific: string }
let full: string

async function importText(text: string | Buffer, lenient = false): Promise<ImportSummary> {
  return importDeposit(t.db.primary, fromText(text), { lenient, operator: 'test' })
}

const get = (path: string, token?: string) => {
  const r = request(t.app).get(path)
  return token ? r.set('Authorization', `Bearer ${token}`) : r
}

/** the vCard property `name` of the entity with `role` in an RDAP domain */
function vcard(doc: Record<string, unknown>, role: string, name: string): unknown {
  const entity = (doc.entities as { roles: string[]; vcardArray?: [string, unknown[][]] }[]).find(
    (e) => e.roles.includes(role),
  )
  return entity?.vcardArray?.[1].find((p) => p[0] === name)?.[3]
}

beforeAll(async () => {
  const key = await makeKey('reg-1')
  const issuers = await buildIssuers(
    [
      {
        iss: ISS,
        audience: 'rdap',
        jwksFile: await writeJwksFile([key]),
        grants: ['registrar', 'accredited:law-enforcement'],
      },
    ],
    '/',
  )
  t = await startTestApp({ issuers })
  await t.db.primary.query(
    `insert into accreditations (id, holder, issuer, purposes) values ('acc', 'Police', $1, '{law-enforcement}')`,
    [ISS],
  )
  tokens = {
    law: await signToken(key, {
      iss: ISS,
      aud: 'rdap',
      claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc' },
    }),
    hinet: await signToken(key, { iss: ISS, aud: 'rdap', claims: { registrar_iana_id: 9001 } }),
    pacific: await signToken(key, { iss: ISS, aud: 'rdap', claims: { registrar_iana_id: 9002 } }),
  }
  full = await fixture('full.xml')
})
afterAll(() => t.close())

describe('a FULL deposit of two TLDs, one of them IDN', () => {
  let summary: ImportSummary
  const accessRecords = () =>
    t.db.primary.query(
      `select (select json_agg(a order by id) from accreditations a) as accreditations,
              (select json_agg(d order by id) from disclosures d) as disclosures`,
    )
  let recordsBefore: unknown
  beforeAll(async () => {
    await get('/rdap/domain/privacy.example', tokens.law).expect(200) // an audit row
    recordsBefore = await accessRecords()
    summary = await importText(full)
  })

  test('the audit log and the accreditations are untouched', async () => {
    expect(JSON.stringify(recordsBefore)).toContain('privacy.example')
    expect(await accessRecords()).toEqual(recordsBefore)
  })

  test('it is read whole: every object counted, the extensions listed, the demo replaced', () => {
    expect(summary).toMatchObject({
      type: 'FULL',
      depositId: '20261201001',
      tlds: ['tw', 'xn--kpry57d'],
      objects: { registrar: 2, contact: 4, host: 2, domain: 3, idnTable: 1, nndn: 1 },
      demoReplaced: true,
      skipped: [],
    })
    expect(summary.extensions).toEqual({
      'rdeEppParams:eppParams': 1,
      'rdePolicy:policy': 1,
      'rgp:rgpStatus': 1,
    })
  })

  test('the demo registry is gone and its TLD no longer served: 404 saying which TLDs are', async () => {
    const res = await get('/rdap/domain/privacy.example').expect(404)
    expect(res.body.description[0]).toBe(
      'This registry does not serve the TLD .example; it serves .tw, .台灣 (.xn--kpry57d).',
    )
    const help = await get('/rdap/help').expect(200)
    expect(help.body.notices).toContainEqual({
      title: 'TLDs served',
      description: ['.tw, .台灣 (.xn--kpry57d)'],
    })
  })

  test('the public sees the minimal record: tidy text, DNSSEC, name servers, registrar and abuse contact', async () => {
    const { body } = await get('/rdap/domain/TEA-HOUSE.tw').expect(200)
    expect(body.ldhName).toBe('tea-house.tw')
    expect(body.status).toEqual(['client transfer prohibited', 'client delete prohibited'])
    expect(body.secureDNS).toMatchObject({
      delegationSigned: true,
      dsData: [
        {
          keyTag: 12345,
          algorithm: 13,
          digestType: 2,
          digest: '49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB',
        },
      ],
    })
    expect(body.nameservers.map((n: { ldhName: string }) => n.ldhName)).toEqual([
      'ns1.tea-house.tw',
      'dns.hinet.example',
    ])
    expect(vcard(body, 'registrar', 'fn')).toBe('HiNet Registry Services')
    expect(JSON.stringify(body)).toContain('abuse@hinet.example')
    expect(vcard(body, 'registrant', 'org')).toBe('Tea House Studio')
    expect(vcard(body, 'registrant', 'fn')).toBe('')
    const text = JSON.stringify(body)
    for (const personal of ['Lin Yi-Chun', 'yichun.lin@mail.example', '+886.223001122', 'Heping'])
      expect(text).not.toContain(personal)
  })

  test('law enforcement sees the registrant in full, from the int postal info; the loc one is kept', async () => {
    const { body } = await get('/rdap/domain/tea-house.tw', tokens.law).expect(200)
    expect(vcard(body, 'registrant', 'fn')).toBe('Lin Yi-Chun')
    expect(vcard(body, 'registrant', 'email')).toBe('yichun.lin@mail.example')
    expect(JSON.stringify(vcard(body, 'registrant', 'adr'))).toContain(
      'No. 162, Sec. 1, Heping E. Rd.',
    )
    expect(JSON.stringify(body)).toContain('tel:+886.223001122;ext=88')
    const [row] = await t.db.primary.query<{ loc: { name: string; addr: { city: string } } }>(
      `select postal_loc as loc from contacts where handle = 'lin-001'`,
    )
    expect(row!.loc).toMatchObject({ name: '林怡君', addr: { city: '臺北市' } })
  })

  test('the sponsoring registrar sees its domain in full; the other registrar sees the public view', async () => {
    const own = await get('/rdap/domain/tea-house.tw', tokens.hinet).expect(200)
    expect(vcard(own.body, 'registrant', 'fn')).toBe('Lin Yi-Chun')
    const other = await get('/rdap/domain/tea-house.tw', tokens.pacific).expect(200)
    expect(vcard(other.body, 'registrant', 'fn')).toBe('')
  })

  test('an IDN domain under the IDN TLD answers by U-label; disclose flag="1" is consent to publish', async () => {
    const { body } = await get(`/rdap/domain/${encodeURIComponent('商店.台灣')}`).expect(200)
    expect(body).toMatchObject({ ldhName: 'xn--czrs0t.xn--kpry57d', unicodeName: '商店.台灣' })
    // wang-002 listed name and email with flag="1"; nothing else
    expect(vcard(body, 'registrant', 'fn')).toBe('Wang Da-Wei')
    expect(vcard(body, 'registrant', 'email')).toBe('dawei.wang@mail.example')
    expect(JSON.stringify(body)).not.toContain('+886.62001234')
    // name servers given as attributes answer with their glue
    expect(body.nameservers).toEqual([
      {
        objectClassName: 'nameserver',
        ldhName: 'ns1.xn--czrs0t.xn--kpry57d',
        unicodeName: 'ns1.商店.台灣',
        ipAddresses: { v4: ['203.0.113.53'], v6: ['2001:db8::53'] },
      },
      { objectClassName: 'nameserver', ldhName: 'ns2.example.net' },
    ])
    const [row] = await t.db.primary.query<{ attrs: unknown; idn: string }>(
      `select host_attrs as attrs, idn_table_id as idn from domains where ldh_name = 'xn--czrs0t.xn--kpry57d'`,
    )
    expect(row).toEqual({
      attrs: [
        { name: 'ns1.xn--czrs0t.xn--kpry57d', ipv4: ['203.0.113.53'], ipv6: ['2001:db8::53'] },
        { name: 'ns2.example.net', ipv4: [], ipv6: [] },
      ],
      idn: 'zh-TW',
    })
  })

  test('DNSSEC key data, the transfer date, a legal person, hosts, IDN tables and NNDNs arrive', async () => {
    const { body } = await get('/rdap/domain/company.tw').expect(200)
    expect(body.secureDNS.keyData).toEqual([
      expect.objectContaining({
        flags: 257,
        protocol: 3,
        algorithm: 8,
        publicKey: 'AwEAAa9mK5vMQp8=',
      }),
    ])
    expect(body.events).toContainEqual(
      expect.objectContaining({ eventAction: 'transfer', eventDate: '2024-01-01T00:00:00Z' }),
    )
    const ns = await get('/rdap/nameserver/ns1.tea-house.tw').expect(200)
    expect(ns.body.ipAddresses).toEqual({ v4: ['198.51.100.7'], v6: ['2001:db8:7::7'] })
    const registrar = await get('/rdap/entity/9002').expect(200)
    expect(JSON.stringify(registrar.body)).toContain('Pacific Names Co.')
    const [stored] = await t.db.primary.query<Record<string, unknown>>(
      `select (select person_kind from contacts where handle = 'acct-003') as kind,
              (select status from registrars where iana_id = 9002) as status,
              (select url_policy from idn_tables where id = 'zh-TW') as policy,
              (select name_state from nndns where a_name = 'xn--czrs0t.tw') as state`,
    )
    expect(stored).toEqual({
      kind: 'legal',
      status: 'suspended',
      policy: 'https://registry.example/idn-policy',
      state: 'blocked',
    })
  })

  test('WHOIS and RDAP agree on the TLDs: a U-label query works, an unserved TLD says so', async () => {
    const { createWhoisServer } = await import('../../src/whois/server.js')
    const { silentLog } = await import('../helpers/db.js')
    const { createAuditLog } = await import('../../src/audit/disclosures.js')
    const whois = createWhoisServer({
      reader: t.db.reader,
      policy: t.policy,
      audit: createAuditLog(t.db.primary),
      log: silentLog,
      termsOfUse: 'terms',
    })
    const { connect } = await import('node:net')
    await new Promise<void>((resolve) => whois.listen(0, '127.0.0.1', resolve))
    const port = (whois.address() as { port: number }).port
    const ask = (q: string) =>
      new Promise<string>((resolve) => {
        let text = ''
        const s = connect(port, '127.0.0.1', () => s.write(`${q}\r\n`))
        s.on('data', (c) => (text += c))
        s.on('end', () => resolve(text))
      })
    try {
      expect(await ask('商店.台灣')).toContain('Domain Name: XN--CZRS0T.XN--KPRY57D')
      expect(await ask('nothing.example')).toContain(
        'This registry does not serve the TLD .example; it serves .tw, .台灣 (.xn--kpry57d).',
      )
      expect(await ask('help')).toContain('TLDs served: .tw, .台灣 (.xn--kpry57d)')
    } finally {
      await new Promise((resolve) => whois.close(resolve))
    }
  })

  describe('then a DIFF', () => {
    let diff: ImportSummary
    beforeAll(async () => {
      diff = await importText(await fixture('diff.xml'))
    })

    test('its deletes and changes apply, and lookups show them', async () => {
      expect(diff).toMatchObject({
        type: 'DIFF',
        objects: { domain: 3, contact: 1 },
        deletes: { domain: 1, contact: 1 },
      })
      const gone = await get('/rdap/domain/company.tw').expect(404)
      expect(gone.body.description).toEqual(['The domain name was not found.'])
      const added = await get('/rdap/domain/new.tw', tokens.law).expect(200)
      expect(vcard(added.body, 'registrant', 'fn')).toBe('Lin Yi-Chun')
      const changed = await get('/rdap/domain/tea-house.tw', tokens.law).expect(200)
      expect(vcard(changed.body, 'registrant', 'email')).toBe('lin.yichun@newmail.example')
      expect(changed.body.status).toEqual(['client transfer prohibited'])
      expect(changed.body.nameservers.map((n: { ldhName: string }) => n.ldhName)).toEqual([
        'dns.hinet.example',
      ])
      const idn = await get('/rdap/domain/xn--czrs0t.xn--kpry57d', tokens.law).expect(200)
      expect(JSON.stringify(idn.body)).not.toContain('Formosa Trading')
    })
  })
})

describe('a deposit that cannot be applied changes nothing', () => {
  let before: string
  beforeAll(async () => {
    before = await snapshot()
  })
  /** every registry row, in order: what "nothing changed" means */
  async function snapshot(): Promise<string> {
    const rows = await t.db.primary.query(
      `select (select json_agg(d order by roid) from domains d) as d, (select json_agg(c order by roid) from contacts c) as c,
              (select json_agg(h order by roid) from hosts h) as h, (select json_agg(r order by iana_id) from registrars r) as r,
              (select count(*) from import_stage)::int as staged`,
    )
    return JSON.stringify(rows)
  }

  const broken: [string, (text: string) => string, RegExp, number?][] = [
    [
      'malformed XML (cut short)',
      (x) => x.slice(0, x.indexOf('<rdeHost:host>') + 40),
      /unclosed|unexpected end|closing tag/i,
    ],
    [
      'an element the schema does not have',
      (x) =>
        x.replace(
          '<rdeDomain:roid>D300-TW</rdeDomain:roid>',
          '<rdeDomain:roid>D300-TW</rdeDomain:roid><rdeDomain:owner>x</rdeDomain:owner>',
        ),
      /unexpected element <owner> in <domain>/,
    ],
    [
      'a header count that does not match',
      (x) => x.replace('rdeHost-1.0">2<', 'rdeHost-1.0">3<'),
      /header counts 3 host objects but the deposit holds 2/,
    ],
    [
      'a registrant the deposit does not hold',
      (x) =>
        x.replace(
          '<rdeDomain:registrant>acct-003</rdeDomain:registrant>',
          '<rdeDomain:registrant>ghost-9</rdeDomain:registrant>',
        ),
      /domain company\.tw: its contact "ghost-9" is not in the deposit/,
    ],
    [
      'a date that is not a date',
      (x) => x.replace('<rdeDomain:exDate>2028-05-05T00:00:00Z', '<rdeDomain:exDate>next year'),
      /domain company\.tw: .*exDate/,
    ],
    [
      'an object given twice',
      (x) =>
        x.replace(
          '<rdeHost:name>dns.hinet.example</rdeHost:name>',
          '<rdeHost:name>ns1.tea-house.tw</rdeHost:name>',
        ),
      /host ns1\.tea-house\.tw appears more than once/,
    ],
  ]

  test.each(broken)('%s: refused with its line and column', async (_what, mutate, message) => {
    const err = await importText(mutate(full)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DepositError)
    expect((err as DepositError).message).toMatch(message)
    expect((err as DepositError).at?.line).toBeGreaterThan(0)
    expect(await snapshot()).toBe(before)
  })

  test('a DIFF that deletes a contact still in use is refused whole', async () => {
    const diff = (await fixture('diff.xml')).replace(
      '<rdeContact:delete><rdeContact:id>acct-003</rdeContact:id></rdeContact:delete>',
      '<rdeContact:delete><rdeContact:id>noc-hinet</rdeContact:id></rdeContact:delete>',
    )
    const err = await importText(diff).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/still in use|is not in the deposit/)
    expect(await snapshot()).toBe(before)
  })

  test('damaged gzip input is refused', async () => {
    const gz = gzipSync(full)
    const err = await importText(gz.subarray(0, gz.length - 200)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DepositError)
    expect(await snapshot()).toBe(before)
  })

  test('--lenient imports the rest and lists what it left out', async () => {
    const lenient = full
      .replace(
        '<rdeDomain:registrant>acct-003</rdeDomain:registrant>',
        '<rdeDomain:registrant>ghost-9</rdeDomain:registrant>',
      )
      .replace(
        '<rdeHost:clID>hinet</rdeHost:clID>\n      <rdeHost:crDate>2001',
        '<rdeHost:clID>nobody</rdeHost:clID>\n      <rdeHost:crDate>2001',
      )
    const summary = await importText(lenient, true)
    expect(summary.skipped).toEqual([
      expect.stringMatching(/^line \d+: host dns\.hinet\.example left out: its registrar "nobody"/),
      expect.stringMatching(
        /^line \d+: domain tea-house\.tw: its name server "dns\.hinet\.example" .*kept as a name server name/,
      ),
      expect.stringMatching(
        /^line \d+: domain company\.tw: its contact "ghost-9" is not in the deposit; the reference is left out/,
      ),
    ])
    const { body } = await get('/rdap/domain/company.tw').expect(200)
    expect(body.entities.some((e: { roles: string[] }) => e.roles.includes('registrant'))).toBe(
      false,
    )
    await importText(full) // as it was, for the tests after
    before = await snapshot()
  })
})

describe('a FULL deposit made before changes pushed since', () => {
  const who = { issuer: 'https://sync.test', subject: 'epp' }
  const domain = (name: string, roid: string, over: Record<string, unknown> = {}) => ({
    name,
    roid,
    status: ['ok'],
    registrant: 'lin-001',
    contact: [],
    ns: { hostObj: [], hostAttr: [] },
    clID: 'hinet',
    crDate: '2011-03-04T05:06:07Z',
    exDate: '2028-03-04T05:06:07Z',
    ...over,
  })

  test('neither undoes them, nor removes what was pushed, nor brings back what was deleted', async () => {
    await importText(full)
    // watermark 2026-12-01T00:00:00Z; each change below is later
    const { putObject, deleteObject } = await import('../../src/ingest/changes.js')
    expect(
      await putObject(
        t.db.primary,
        'domain',
        'pushed.tw',
        domain('pushed.tw', 'D900-TW', { crDate: '2026-12-02T00:00:00Z' }),
        who,
      ),
    ).toMatchObject({ outcome: 'created' })
    expect(
      await putObject(
        t.db.primary,
        'domain',
        'tea-house.tw',
        domain('tea-house.tw', 'D100-TW', {
          status: ['clientHold'],
          upDate: '2026-12-03T00:00:00Z',
        }),
        who,
      ),
    ).toMatchObject({ outcome: 'updated' })
    expect(
      await deleteObject(
        t.db.primary,
        'domain',
        'company.tw',
        new Date('2026-12-04T00:00:00Z'),
        who,
      ),
    ).toMatchObject({ outcome: 'deleted' })

    await importText(full)
    await get('/rdap/domain/pushed.tw').expect(200)
    const { body } = await get('/rdap/domain/tea-house.tw').expect(200)
    expect(body.status).toEqual(['client hold'])
    await get('/rdap/domain/company.tw').expect(404)
  })
})

describe('an export whose reader goes away', () => {
  test('stops with an error and leaves the database free', async () => {
    const dropped = new Writable({
      highWaterMark: 16,
      write(_c, _e, done) {
        this.destroy() // the CLI at the other end was killed
        done()
      },
    })
    await expect(exportDeposit(t.db.primary, dropped)).rejects.toThrow(/closed before/)
    await get('/rdap/help').expect(200) // it reads the database: nothing holds it
  })
})

describe('export, then import: the same registry', () => {
  test('every demo object answers the same for every tier after the round trip', async () => {
    const source = await startTestApp()
    const target = await startTestApp()
    try {
      const chunks: Buffer[] = []
      const sink = new Writable({
        write(c, _e, done) {
          chunks.push(Buffer.from(c))
          done()
        },
      })
      const exported = await exportDeposit(source.db.primary, sink)
      expect(exported.objects.domain).toBeGreaterThanOrEqual(6)
      const summary = await importDeposit(target.db.primary, Readable.from([Buffer.concat(chunks)]))
      expect(summary.objects).toEqual(exported.objects)

      const paths = await source.db.primary.query<{ path: string; sponsor: number }>(
        `select '/rdap/domain/' || ldh_name as path, registrar_iana_id as sponsor from domains
         union all select '/rdap/nameserver/' || ldh_name, registrar_iana_id from hosts
         union all select '/rdap/entity/' || roid, registrar_iana_id from contacts
         union all select '/rdap/entity/' || iana_id, iana_id from registrars`,
      )
      // lookups with the dynamic "last update of RDAP database" event left out
      const answer = async (app: TestApp, path: string) => {
        const res = await request(app.app).get(path)
        const body = res.body as { events?: { eventAction: string }[] }
        body.events = body.events?.filter((e) => e.eventAction !== 'last update of RDAP database')
        return { status: res.status, body }
      }
      for (const { path } of paths) {
        const [before, after] = [await answer(source, path), await answer(target, path)]
        expect({ path, ...after }).toEqual({ path, ...before })
        expect(before.status).toBe(200)
      }
      // and so every tier's view: what the registry holds, column by column
      const rows = (db: TestApp['db']) =>
        db.primary.query(
          `select (select json_agg(d order by roid) from (select roid, ldh_name, unicode_name, registrar_iana_id, statuses, created_at, updated_at, expires_at, transferred_at, registrant_roid, admin_roid, tech_roid, billing_roid, nameservers, delegation_signed, ds_data, key_data from domains) d) as d,
                  (select json_agg(c order by roid) from (select roid, handle, name, organization, street, city, state_province, postal_code, country_code, phone, phone_ext, fax, fax_ext, email, person_kind, consent, consent_at, registrar_iana_id, created_at, updated_at from contacts) c) as c,
                  (select json_agg(h order by roid) from hosts h) as h,
                  (select json_agg(r order by iana_id) from (select iana_id, handle, name, url, whois_server, rdap_base_url, abuse_email, abuse_phone, street, city, state_province, postal_code, country_code, phone, email, status, created_at, updated_at from registrars) r) as r`,
        )
      expect(await rows(target.db)).toEqual(await rows(source.db))
    } finally {
      await source.close()
      await target.close()
    }
  })
})
