import { copyFile, mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { createAuditLog } from '../../src/audit/disclosures.js'
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../src/demo/issuer.js'
import { openDatabases } from '../../src/storage/db.js'
import { silentLog } from '../helpers/db.js'
import { runCli } from '../helpers/processes.js'

/** `rdds …` as a user runs it, on an embedded database kept in a folder */
describe('the rdds command line on a folder no server owns (embedded database)', () => {
  let env: Record<string, string>
  let pgliteDir: string
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rdds-cli-'))
    pgliteDir = join(dir, 'db')
    env = {
      PATH: process.env.PATH ?? '',
      PGLITE_DIR: pgliteDir,
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'silent',
    }
  })

  const rdds = (...args: string[]) => runCli(env, ...args)

  test('no command loads the demo registry as a side effect; seed does', async () => {
    expect((await rdds('accreditation', 'list')).code).toBe(0)
    expect((await rdds('preview', 'privacy.example')).stderr).toMatch(/not in the registry/)
    expect((await rdds('seed')).stdout).toMatch(/seeded 0 synthetic domains \(plus the demo set\)/)
  }, 60000)

  test('preview shows the public view withholding what law enforcement sees', async () => {
    const json = await rdds('preview', 'privacy.example', '--json')
    expect(json.code).toBe(0)
    const views = JSON.parse(json.stdout) as {
      audiences: Array<{
        audience: string
        shown: string[]
        withheld: Array<{ path: string; method: string }>
      }>
    }
    const view = (a: string) => views.audiences.find((v) => v.audience === a)!
    const withheldPublic = view('public').withheld.map((w) => w.path)
    for (const f of [
      'registrant.name',
      'registrant.street',
      'registrant.phone',
      'registrant.email',
    ]) {
      expect(withheldPublic).toContain(f)
      expect(view('accredited:law-enforcement').shown).toContain(f)
    }
    // each withheld field names the policy rule that decided it, as the workbench shows it
    expect(view('public').withheld.find((w) => w.path === 'registrant.name')).toEqual({
      path: 'registrant.name',
      method: 'emptyValue',
      rule: 'registrant.name: { show: [registrar, accredited:law-enforcement, accredited:cybersecurity, accredited:ip-protection, accredited:consumer-protection], alsoWhen: [contactConsented, outsideScope], otherwise: emptyValue }',
      because: 'not shown to public, and no condition of alsoWhen holds for this contact',
    })
    const table = await rdds('preview', 'PRIVACY.example', '--audience', 'public')
    expect(table.stdout).toMatch(/registrant\.name\s+│ emptied/)
    expect(table.stdout).toMatch(/registrant\.email\s+│ replaced/)
    expect(table.stdout).toMatch(/registrant\.countryCode\s+│ shown/)
    const missing = await rdds('preview', 'nosuch.example')
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'rdds: nosuch.example is not in the registry\n',
    })
  }, 60000)

  test('accreditations are added, listed, suspended and revoked', async () => {
    expect(
      (
        await rdds(
          'accreditation',
          'add',
          '--id',
          'acc-1',
          '--holder',
          'Cyber Unit',
          '--purposes',
          'law-enforcement,cybersecurity',
        )
      ).code,
    ).toBe(0)
    expect((await rdds('accreditation', 'list')).stdout).toMatch(
      /^acc-1\tactive\tlaw-enforcement,cybersecurity\t/m,
    )
    expect((await rdds('accreditation', 'suspend', 'acc-1')).stdout).toContain('acc-1 is suspended')
    expect((await rdds('accreditation', 'revoke', 'acc-1')).stdout).toContain('acc-1 is revoked')
    expect((await rdds('accreditation', 'list')).stdout).toMatch(/^acc-1\trevoked\t/m)
    const bad = await rdds(
      'accreditation',
      'add',
      '--id',
      'acc-2',
      '--holder',
      'X',
      '--purposes',
      'curiosity',
    )
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('unknown purpose(s) curiosity')
    expect(bad.stderr).toContain('Usage: rdds accreditation add')
    const twice = await rdds(
      'accreditation',
      'add',
      '--id',
      'acc-1',
      '--holder',
      'Y',
      '--purposes',
      'cybersecurity',
    )
    expect(twice).toMatchObject({ code: 1, stderr: 'rdds: accreditation acc-1 exists already\n' })
  }, 60000)

  test('audit list filters, and audit verify detects a changed row', async () => {
    const dbs = await openDatabases({ PGLITE_DIR: pgliteDir }, silentLog)
    const audit = createAuditLog(dbs.primary)
    const event = (subject: string, object: string) => ({
      at: new Date('2026-02-01T00:00:00Z'),
      requestId: `r-${subject}`,
      issuer: 'iss',
      subject,
      accreditationId: 'acc-1',
      audience: 'accredited:law-enforcement',
      purpose: 'law-enforcement',
      objectClass: 'domain',
      objectHandle: object,
      fields: ['registrant.name', 'registrant.email'],
      policyName: 'calzone',
      policyVersion: 1,
    })
    await Promise.all([
      audit.append(event('alice', 'privacy.example')),
      audit.append(event('bob', 'company.example')),
    ])
    await dbs.close()
    const list = await rdds('audit', 'list', '--subject', 'alice')
    expect(list.stdout.trim().split('\n')).toHaveLength(1)
    expect(list.stdout).toContain('privacy.example\tregistrant.name,registrant.email\tcalzone v1')
    expect(list.stderr).not.toContain('there may be more')
    const cut = await rdds('audit', 'list', '--limit', '1')
    expect(cut.stdout.trim().split('\n')).toHaveLength(1)
    expect(cut.stderr).toContain('showing the newest 1 rows; there may be more')
    expect((await rdds('audit', 'list', '--limit', '0')).code).toBe(2)
    expect((await rdds('audit', 'verify')).stdout).toContain('audit chain intact: 2 rows')
    expect((await rdds('audit', 'checkpoint')).stdout).toMatch(/^checkpoint: 2 rows up to row 2/)
    const again = await openDatabases({ PGLITE_DIR: pgliteDir }, silentLog)
    await again.primary.exec(
      "alter table disclosures disable trigger user; update disclosures set fields = '{registrant.name}' where subject = 'alice'; alter table disclosures enable trigger user",
    )
    await again.close()
    const verify = await rdds('audit', 'verify')
    expect(verify.code).toBe(1)
    expect(verify.stdout).toMatch(/TAMPERED row \d+: content does not match its hash/)
    expect(verify.stderr).toBe('rdds: the audit log has been tampered with\n')

    // the last row cut off: only the checkpoint, here a copy kept elsewhere, can tell
    const copy = join(await mkdtemp(join(tmpdir(), 'rdds-copy-')), 'checkpoints.jsonl')
    await copyFile(join(env.DATA_DIR!, 'audit-checkpoints.jsonl'), copy)
    const last = await openDatabases({ PGLITE_DIR: pgliteDir }, silentLog)
    await last.primary.exec(
      'alter table disclosures disable trigger user; delete from disclosures where id = 2; alter table disclosures enable trigger user',
    )
    await last.close()
    const endCut = await rdds('audit', 'verify', '--checkpoints', copy)
    expect(endCut.code).toBe(1)
    expect(endCut.stdout).toMatch(
      /TAMPERED rows missing at the end: the checkpoint of \S+ counted 2 rows up to row 2; the log ends at row 1/,
    )
  }, 60000)

  test('token prints, on its last line, a token the demo issuer signed', async () => {
    const out = await rdds('token', '--audience', 'accredited:law-enforcement', '--ttl', '15m')
    const token = out.stdout.trim().split('\n').at(-1)!
    const jwks = JSON.parse(await readFile(join(env.DATA_DIR!, 'demo-issuer/jwks.json'), 'utf8'))
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: DEMO_ISSUER,
      audience: DEMO_AUDIENCE,
    })
    expect(payload).toMatchObject({
      rdap_allowed_purposes: ['law-enforcement'],
      accreditation_id: 'demo-accreditation',
    })
    expect(payload.exp! - payload.iat!).toBe(900)
    expect((await rdds('token', '--audience', 'registrar')).code).toBe(2)
  }, 60000)

  test('seed adds synthetic domains; policy-check passes; nonsense is a usage error', async () => {
    expect((await rdds('seed', '--domains', '120')).stdout).toMatch(/seeded 120 synthetic domains/)
    const check = await rdds('policy-check')
    expect(check.code).toBe(0)
    expect(check.stdout).toMatch(/calzone: loads; \d+\/\d+ test cases pass/)
    expect((await rdds('frobnicate')).code).toBe(2)
    // an option a command does not know is a usage error too: a line and the usage, no stack trace
    const unknown = await rdds('seed', '--frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^error: unknown option '--frobnicate'/)
    expect(unknown.stderr).toContain('Usage: rdds seed')
    expect(unknown.stderr).not.toMatch(/\n\s+at /)
  }, 60000)

  afterAll(() => undefined)
})
