import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  checkpointSigner,
  readCheckpoints,
  saveCheckpoint,
  takeCheckpoint,
  type CheckpointSigner,
} from '../../src/audit/checkpoints.js'
import { chainHash, createAuditLog, type DisclosureEvent } from '../../src/audit/disclosures.js'
import { verifyChain } from '../../src/audit/read.js'
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.js'

/**
 * Tampering as a superuser would (triggers disabled), and what verify says of it. The chain shows a
 * change or deletion in the middle; only the checkpoints, kept outside the table, show the end cut
 * off or rewritten.
 */
const event = (n: number): DisclosureEvent => ({
  at: new Date(Date.UTC(2026, 5, 1, 0, 0, n)),
  requestId: `req-${n}`,
  issuer: 'https://la.test',
  subject: 'analyst-1',
  accreditationId: 'acc',
  audience: 'accredited:law-enforcement',
  purpose: 'law-enforcement',
  objectClass: 'domain',
  objectHandle: `d${n}.example`,
  fields: ['registrant.name', 'registrant.email'],
  policyName: 'calzone',
  policyVersion: 1,
})

describe(`tampering with the audit log (${ENGINE})`, () => {
  let db: TestDb
  let signer: CheckpointSigner
  let file: string

  /** as a superuser: the table's triggers off for one statement */
  const tamper = (sql: string) =>
    db.primary.exec(
      `alter table disclosures disable trigger user; ${sql}; alter table disclosures enable trigger user`,
    )
  const verify = async () => {
    const { checkpoints, problems } = await readCheckpoints(file, signer.publicKey)
    const result = await verifyChain(db.primary, { checkpoints })
    return [...problems, ...result.problems]
  }

  beforeEach(async () => {
    db = await openTestDb({ seed: false })
    const dir = await mkdtemp(join(tmpdir(), 'rdds-tamper-'))
    signer = await checkpointSigner({ DATA_DIR: dir })
    file = join(dir, 'checkpoints.jsonl')
    const audit = createAuditLog(db.primary)
    for (let n = 1; n <= 6; n++) await audit.append(event(n))
    await saveCheckpoint(file, await takeCheckpoint(db.primary, signer))
    for (let n = 7; n <= 10; n++) await audit.append(event(n))
    await saveCheckpoint(file, await takeCheckpoint(db.primary, signer))
  })
  afterEach(() => db.close())

  test('an untouched log and its checkpoints agree', async () => {
    expect(await verify()).toEqual([])
    const { checkpoints } = await readCheckpoints(file, signer.publicKey)
    expect(checkpoints.map((c) => [c.rows, c.lastId])).toEqual([
      [6, 6],
      [10, 10],
    ])
  })

  test('TRUNCATE, DELETE and UPDATE are refused by the database, here and in the accreditation history', async () => {
    for (const sql of [
      'truncate disclosures',
      'delete from disclosures where id = 10',
      'delete from disclosures where id = 999', // no row: the statement trigger still refuses
      "update disclosures set subject = 'x' where id = 3",
      'truncate accreditation_changes', // who changed an accreditation is kept the same way
      'delete from accreditation_changes',
      "update accreditation_changes set operator = 'x'",
    ])
      await expect(db.primary.exec(sql)).rejects.toThrow(/append-only/)
    expect(await verify()).toEqual([])
  })

  test('the last rows deleted: rows missing at the end', async () => {
    await tamper('delete from disclosures where id > 7')
    expect(await verify()).toEqual([
      expect.stringMatching(
        /^rows missing at the end: the checkpoint of \S+ counted 10 rows up to row 10; the log ends at row 7$/,
      ),
    ])
  })

  test('the last row rewritten with its hash recomputed: rewritten since the checkpoint', async () => {
    const [prev] = await db.primary.query<{ hash: string }>(
      'select hash from disclosures where id = 9',
    )
    const forged = { ...event(10), subject: 'someone-else' }
    await tamper(
      `update disclosures set subject = 'someone-else', hash = '${chainHash(prev!.hash, forged)}' where id = 10`,
    )
    expect((await verifyChain(db.primary)).problems).toEqual([]) // the chain alone cannot see it
    expect(await verify()).toEqual([
      expect.stringMatching(
        /^row 10: rewritten since the checkpoint of \S+ \(its hash is not the one recorded\)$/,
      ),
    ])
  })

  test('the log truncated: said so, with what the checkpoint counted', async () => {
    await tamper('truncate disclosures')
    expect(await verify()).toEqual([
      expect.stringMatching(
        /^the log is empty, but the checkpoint of \S+ counted 10 rows up to row 10: it was truncated$/,
      ),
    ])
  })

  test('a middle row changed, and a middle row deleted: each named', async () => {
    await tamper("update disclosures set fields = '{registrant.name}' where id = 3")
    await tamper('delete from disclosures where id = 5')
    expect(await verify()).toEqual([
      'row 3: content does not match its hash (changed)',
      'row 6: ids jump from 4 to 6 (row 5 is missing)',
      'row 6: does not follow the row before it (a row was deleted or reordered)',
      expect.stringMatching(/^rows up to 6: 5 where the checkpoint of \S+ counted 6$/),
      expect.stringMatching(/^rows up to 10: 9 where the checkpoint of \S+ counted 10$/),
    ])
  })

  test('a checkpoint altered, or signed by another key, is not trusted', async () => {
    const lines = (await readFile(file, 'utf8')).trim().split('\n')
    const altered = { ...JSON.parse(lines[1]!), rows: 9, lastId: 9 }
    await writeFile(file, `${lines[0]}\n${JSON.stringify(altered)}\nnot json\n`)
    const other = await checkpointSigner({ DATA_DIR: await mkdtemp(join(tmpdir(), 'rdds-k-')) })
    await saveCheckpoint(file, await takeCheckpoint(db.primary, other))
    expect(await verify()).toEqual([
      `${file}:2: the signature does not hold (the checkpoint was altered)`,
      `${file}:3: not a checkpoint (not JSON)`,
      expect.stringMatching(
        new RegExp(`^${file}:4: signed by another key \\(\\w+\\), not checked$`),
      ),
    ])
  })
})
