import { createHash } from 'node:crypto'
import pg from 'pg'
import { StartupError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Db, OpenOptions, Queryable } from './db.js'

// int8 (count(*), bigserial) as a JS number: our counts and ids stay far below 2^53
pg.types.setTypeParser(20, (value) => Number(value))

/** node-postgres pool; the one file that imports pg. Parameters are never logged. */
export async function openPg(url: string, log: Logger, options: OpenOptions = {}): Promise<Db> {
  // an `options` parameter in the URL would replace the pool's whole `options` (the URL wins in
  // node-postgres), dropping the generic plans below: it is taken out and merged with ours instead
  const connection = new URL(url)
  const urlOptions = connection.searchParams.get('options') ?? ''
  connection.searchParams.delete('options')
  const pool = new pg.Pool({
    connectionString: connection.href,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 16),
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30000,
    query_timeout: 15000,
    // our statements are few and prepared: plan each once per connection (a 6-table join costs
    // more to plan than to run), whatever the size of a batch
    options: [
      urlOptions,
      options.schema ? `-c search_path=${options.schema}` : '',
      '-c plan_cache_mode=force_generic_plan',
    ]
      .filter(Boolean)
      .join(' '),
  })
  pool.on('error', (err) =>
    log.warn({ err: { message: err.message } }, 'idle database connection failed'),
  )
  try {
    await pool.query('select 1')
    if (options.schema) await pool.query(`create schema if not exists ${options.schema}`)
  } catch (err) {
    await pool.end().catch(() => undefined)
    const host = safeHost(url)
    throw new StartupError(`cannot reach the database at ${host}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  const run = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params?: readonly unknown[]) {
      // parameterized queries run as named prepared statements: Postgres parses and plans each once
      // per connection instead of on every lookup
      const result = params
        ? await client.query({ name: statementName(sql), text: sql, values: params as unknown[] })
        : await client.query(sql)
      return result.rows as Row[]
    },
    async exec(sqlText: string) {
      await client.query(sqlText)
    },
  })
  return {
    engine: 'pg',
    ...run(pool),
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('begin')
        const result = await fn(run(client))
        await client.query('commit')
        return result
      } catch (err) {
        await client.query('rollback').catch(() => undefined)
        throw err
      } finally {
        client.release()
      }
    },
    async close() {
      await pool.end()
    },
  }
}

const names = new Map<string, string>()

/** a stable name per SQL text; our statements are constants, so the map stays small */
function statementName(sql: string): string {
  let name = names.get(sql)
  if (!name) {
    name = `s${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`
    names.set(sql, name)
  }
  return name
}

function safeHost(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || 5432}${u.pathname}`
  } catch {
    return '(unparsable URL)'
  }
}
