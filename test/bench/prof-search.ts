import { createAuditLog } from '../../src/audit/disclosures.js'
import { createLogger } from '../../src/log.js'
import { loadPolicy } from '../../src/policy/load.js'
import { renderSearch } from '../../src/rdap/search-render.js'
import { rdapJson } from '../../src/rdap/serialize.js'
import { parseCriteria } from '../../src/search/criteria.js'
import { cursorSeal } from '../../src/search/cursor.js'
import { search } from '../../src/search/search.js'
import { openDatabases } from '../../src/storage/db.js'

const log = createLogger({ LOG_LEVEL: 'warn' })
const dbs = await openDatabases({ DATABASE_URL: process.env.DATABASE_URL }, log, {
  schema: 'bench_big',
})
const policy = await loadPolicy('calzone', { secret: 'x'.repeat(20) })
const deps = {
  reader: dbs.reader,
  policy,
  audit: createAuditLog(dbs.primary),
  log,
  searchDb: dbs.search,
  cursors: cursorSeal('y'),
  searchLimits: { publicPageSize: 10, authenticatedPageSize: 10, countCap: 10000 },
}
const ctx = {
  baseUrl: 'http://x/rdap/',
  requestUrl: 'http://x/rdap/domains?name=maple*',
  now: new Date(),
  termsUrl: 'http://t/',
}
const param = process.argv[2] ?? 'name'
const value = process.argv[3] ?? 'maple-ce*'
const n = 2000
let bytes = 0
const t0 = performance.now()
let tSearch = 0,
  tRender = 0,
  tJson = 0
for (let i = 0; i < n; i++) {
  const a = performance.now()
  const r = await search(
    deps,
    { criteria: parseCriteria('domains', { [param]: value }), sort: [], count: false, query: 'q' },
    { viewer: { kind: 'anonymous' }, requestId: 'r', now: new Date() },
  )
  const b = performance.now()
  const body = renderSearch({ ...r, kind: 'domains', policy }, ctx)
  const c = performance.now()
  bytes += rdapJson(body).length
  const d = performance.now()
  tSearch += b - a
  tRender += c - b
  tJson += d - c
}
const total = performance.now() - t0
console.log(
  `${((total / n) * 1000).toFixed(0)} µs/search; search ${((tSearch / n) * 1000).toFixed(0)}, render ${((tRender / n) * 1000).toFixed(0)}, json ${((tJson / n) * 1000).toFixed(0)}; ${Math.round(bytes / n)} bytes`,
)
await dbs.close()
