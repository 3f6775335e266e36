import { execFile } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { createAuditLog } from '../../src/audit/disclosures.js'
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../src/auth/demo-issuer.js'
import { openDatabases } from '../../src/storage/db.js'
import { silentLog } from '../helpers/db.js'

const exec = promisify(execFile)

interface Result {
  code: number
  stdout: string
  stderr: string
}

/** `rdds …` as a user runs it, on an embedded database kept in a folder */
describe('the rdds command line (embedded database in a folder)', () => {
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

  const rdds = async (...args: string[]): Promise<Result> => {
    try {
      const { stdout, stderr } = await exec(
        process.execPath,
        ['--import', 'tsx', 'src/cli.ts', ...args],
        { env, timeout: 60000 },
      )
      return { code: 0, stdout, stderr }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }

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
    const table = await rdds('preview', 'PRIVACY.example', '--audience', 'public')
    expect(table.stdout).toMatch(/registrant\.name\s+emptied/)
    expect(table.stdout).toMatch(/registrant\.email\s+replaced/)
    expect(table.stdout).toMatch(/registrant\.countryCode\s+shown/)
    expect((await rdds('preview', 'nosuch.example')).code).toBe(2)
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
    expect(cut.stderr).toContain('showing the first 1 rows, oldest first; there may be more')
    expect((await rdds('audit', 'list', '--limit', '0')).code).toBe(2)
    expect((await rdds('audit', 'verify')).stdout).toContain('audit chain intact: 2 rows')
    const again = await openDatabases({ PGLITE_DIR: pgliteDir }, silentLog)
    await again.primary.exec(
      "alter table disclosures disable trigger disclosures_no_update; update disclosures set fields = '{registrant.name}' where subject = 'alice'; alter table disclosures enable trigger disclosures_no_update",
    )
    await again.close()
    const verify = await rdds('audit', 'verify')
    expect(verify.code).toBe(1)
    expect(verify.stdout).toMatch(/TAMPERED row \d+: content does not match its hash/)
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
    expect(unknown.stderr).toMatch(/^rdds: Unknown option '--frobnicate'/)
    expect(unknown.stderr).toContain('usage: rdds <command>')
    expect(unknown.stderr).not.toMatch(/\n\s+at /)
  }, 60000)

  afterAll(() => undefined)
})
