import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { createAuditLog, GENESIS, type DisclosureEvent } from '../../src/audit/disclosures.js'
import { listDisclosures, verifyChain } from '../../src/audit/read.js'
import type { Db, Queryable } from '../../src/storage/db.js'
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.js'

let db: TestDb
beforeAll(async () => {
  db = await openTestDb({ seed: false })
})
afterAll(async () => {
  await db.close()
})

const event = (n: number): DisclosureEvent => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
  requestId: `req-${n}`,
  issuer: 'https://la.test',
  subject: `analyst-${n % 3}`,
  accreditationId: 'acc',
  audience: 'accredited:law-enforcement',
  purpose: 'law-enforcement',
  objectClass: 'domain',
  objectHandle: `d${n}.example`,
  fields: ['registrant.name'],
  policyName: 'calzone',
  policyVersion: 1,
})

test(`when two server processes append at once, the chain stays linear and whole (${ENGINE})`, async () => {
  // two audit logs on one database: each keeps its own idea of the head, as two replicas would
  const a = createAuditLog(db.primary)
  const b = createAuditLog(db.primary)
  await Promise.all(Array.from({ length: 40 }, (_, n) => (n % 2 ? a : b).append(event(n))))
  const rows = await listDisclosures(db.primary)
  expect(rows).toHaveLength(40)
  expect(new Set(rows.map((r) => r.requestId)).size).toBe(40)
  expect(await verifyChain(db.primary)).toEqual({ rows: 40, problems: [] })
  expect(rows.filter((r) => r.subject === 'analyst-1')).toHaveLength(13)
  expect(
    await listDisclosures(db.primary, { since: new Date(Date.UTC(2026, 0, 1, 0, 0, 30)) }),
  ).toHaveLength(10)
})

test(`when appends keep arriving while writes are in flight, from two logs at once, the chain stays linear and whole (${ENGINE})`, async () => {
  const before = (await verifyChain(db.primary)).rows
  const logs = [createAuditLog(db.primary), createAuditLog(db.primary)]
  const appended: Promise<void>[] = []
  for (let wave = 0; wave < 20; wave++) {
    for (let j = 0; j < 6; j++)
      appended.push(logs[(wave + j) % 2]!.append(event(1000 + wave * 6 + j)))
    await new Promise((resolve) => setImmediate(resolve)) // the next wave meets writes under way
  }
  await Promise.all(appended)
  expect(await verifyChain(db.primary)).toEqual({ rows: before + 120, problems: [] })
})

test(`when another process writes before every append of this one, its rows still go in (${ENGINE})`, async () => {
  const before = (await verifyChain(db.primary)).rows
  // a rival that always gets there first: each of this log's appends outside a transaction finds
  // the head moved since it hashed its rows
  const rival = createAuditLog(db.primary)
  let rivalRows = 0
  const crowded: Db = {
    engine: db.primary.engine,
    async query<Row>(sql: string, params?: readonly unknown[]) {
      if (sql.includes('disclosures_append')) await rival.append(event(5000 + rivalRows++))
      return db.primary.query<Row>(sql, params)
    },
    exec: (sql) => db.primary.exec(sql),
    listen: (...args) => db.primary.listen(...args),
    transaction: (fn) => db.primary.transaction(fn),
    close: () => db.primary.close(),
  }
  const log = createAuditLog(crowded)
  for (let n = 0; n < 5; n++) await log.append(event(6000 + n))
  expect(rivalRows).toBeGreaterThanOrEqual(4)
  expect(await verifyChain(db.primary)).toEqual({ rows: before + 5 + rivalRows, problems: [] })
})

test(`verify reads the chain page by page and still finds a change or a deletion at a page's edge (${ENGINE})`, async () => {
  const fresh = await openTestDb({ seed: false })
  try {
    const log = createAuditLog(fresh.primary)
    await Promise.all(Array.from({ length: 40 }, (_, n) => log.append(event(n))))
    const rows = await listDisclosures(fresh.primary)
    // the real database, with the size of each answer noted: no read may hold more than a page
    const answers: number[] = []
    const noting: Queryable = {
      async query<Row>(sql: string, params?: readonly unknown[]) {
        const found = await fresh.primary.query<Row>(sql, params)
        answers.push(found.length)
        return found
      },
      exec: (sql) => fresh.primary.exec(sql),
    }
    expect(await verifyChain(noting, { pageSize: 7 })).toEqual({ rows: 40, problems: [] })
    expect(answers).toEqual([7, 7, 7, 7, 7, 5])

    await fresh.primary.exec('alter table disclosures disable trigger user')
    // rows[7] opens the second page of seven, rows[14] the third
    await fresh.primary.query("update disclosures set subject = 'someone-else' where id = $1", [
      rows[7]!.id,
    ])
    await fresh.primary.query('delete from disclosures where id = $1', [rows[14]!.id])
    await fresh.primary.exec('alter table disclosures enable trigger user')
    const expected = {
      rows: 39,
      problems: [
        `row ${rows[7]!.id}: content does not match its hash (changed)`,
        `row ${rows[15]!.id}: ids jump from ${rows[13]!.id} to ${rows[15]!.id} (row ${rows[14]!.id} is missing)`,
        `row ${rows[15]!.id}: does not follow the row before it (a row was deleted or reordered)`,
      ],
    }
    expect(await verifyChain(fresh.primary, { pageSize: 7 })).toEqual(expected)
    expect(await verifyChain(fresh.primary, { pageSize: 1 })).toEqual(expected)
    expect(await verifyChain(fresh.primary)).toEqual(expected)
    // row counts are written into the SQL text: anything but a whole number takes the default
    expect(await verifyChain(fresh.primary, { pageSize: Number.NaN })).toEqual(expected)
    expect(await listDisclosures(fresh.primary, { limit: Infinity })).toHaveLength(39)
  } finally {
    await fresh.close()
  }
})

test(`listing by subject or by object reads that column's index, not the whole log (${ENGINE})`, async () => {
  const fresh = await openTestDb({ seed: false })
  try {
    await fresh.primary.exec(`
      insert into disclosures (at, request_id, subject, audience, object_class, object_handle, fields,
                               policy_name, policy_version, prev_hash, hash)
      select timestamptz '2026-01-01' + i * interval '1 second', 'req-' || i, 'analyst-' || (i % 500),
             'accredited:law-enforcement', 'domain', 'd' || i || '.example', '{registrant.name}',
             'calzone', 1, md5((i - 1)::text) || md5((i - 1)::text), md5(i::text) || md5(i::text)
        from generate_series(1, 20000) as i;
      analyze disclosures`)
    const { bySubject, byObject, scans } = await fresh.primary.transaction(async (tx) => {
      // index scans of this transaction, reported at once
      const indexScans = async () =>
        (
          await tx.query<{ subject: number; object: number }>(
            `select pg_stat_get_xact_numscans('disclosures_subject'::regclass) as subject,
                    pg_stat_get_xact_numscans('disclosures_object'::regclass) as object`,
          )
        )[0]!
      const before = await indexScans()
      const bySubject = await listDisclosures(tx, { subject: 'analyst-7' })
      const byObject = await listDisclosures(tx, { object: 'd123.example' })
      const after = await indexScans()
      return {
        bySubject,
        byObject,
        scans: { subject: after.subject - before.subject, object: after.object - before.object },
      }
    })
    expect(bySubject).toHaveLength(40)
    expect(bySubject.every((r) => r.subject === 'analyst-7')).toBe(true)
    expect(bySubject.map((r) => r.id)).toEqual(
      [...bySubject.map((r) => r.id)].sort((a, b) => a - b),
    )
    expect(byObject.map((r) => r.requestId)).toEqual(['req-123'])
    expect(scans).toEqual({ subject: 1, object: 1 })
  } finally {
    await fresh.close()
  }
})

test(`appends find the chain's head by its primary key, even in a session that first met the table empty (${ENGINE})`, async () => {
  // A plan made while the table was known to be empty (a sequential scan and a sort) would stay with
  // the connection, and every later append on it would read the whole, ever-growing table. A
  // registry that vacuums after its import, before anything is disclosed, is in that state.
  const fresh = await openTestDb({ seed: false })
  try {
    await fresh.primary.exec('vacuum analyze disclosures')
    const row = (n: number, prevHash: string) => ({
      ...event(n),
      at: event(n).at.toISOString(),
      prevHash,
      hash: String(n).padStart(64, 'f'),
    })
    const scans = await fresh.primary.transaction(async (tx) => {
      // counters of this backend not yet reported (the migrations' index builds) show here too
      const counted = async () =>
        (
          await tx.query<{ seq_scan: number; idx_scan: number }>(
            "select seq_scan, idx_scan from pg_stat_xact_user_tables where relid = 'disclosures'::regclass",
          )
        )[0]!
      const before = await counted()
      let head = GENESIS
      for (let n = 1; n <= 3; n++) {
        const [result] = await tx.query<{ head: string | null }>(
          'select disclosures_append($1, $2::jsonb) as head',
          [head, JSON.stringify([row(n, head)])],
        )
        expect(result?.head).toBeNull()
        head = row(n, head).hash
      }
      const after = await counted()
      return { seq: after.seq_scan - before.seq_scan, index: after.idx_scan - before.idx_scan }
    })
    expect(scans).toEqual({ seq: 0, index: 3 })
  } finally {
    await fresh.close()
  }
})

test(`when a write fails, its appends are refused and the next ones land on the chain (${ENGINE})`, async () => {
  const before = (await verifyChain(db.primary)).rows
  let failNext = true
  const flaky = {
    ...db.primary,
    query: <Row>(sql: string, params?: readonly unknown[]) => {
      if (failNext && sql.includes('disclosures_append')) {
        failNext = false
        return Promise.reject(new Error('connection lost'))
      }
      return db.primary.query<Row>(sql, params)
    },
  }
  const log = createAuditLog(flaky)
  const first = await Promise.allSettled([log.append(event(2000)), log.append(event(2001))])
  expect(first.map((r) => r.status)).toContain('rejected')
  await Promise.all([log.append(event(2002)), log.append(event(2003))])
  const landed = first.filter((r) => r.status === 'fulfilled').length + 2
  expect(await verifyChain(db.primary)).toEqual({ rows: before + landed, problems: [] })
})
