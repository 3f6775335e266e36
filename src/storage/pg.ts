import { createHash } from 'node:crypto'
import pg from 'pg'
import { DatabaseError, StartupError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Db, OpenOptions, Queryable } from './db.js'

// int8 (count(*), bigserial) as a JS number: our counts and ids stay far below 2^53
pg.types.setTypeParser(20, (value) => Number(value))

/**
 * node-postgres pool; the one file that imports pg. Parameters are never logged. Every failure of a
 * query is a DatabaseError; a connection that fails is dropped from the pool, never left to crash
 * the process, and no query waits longer than the timeout (the server's statement_timeout, and the
 * client's own for a connection that went silent).
 */
export async function openPg(url: string, log: Logger, options: OpenOptions = {}): Promise<Db> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  // an `options` parameter in the URL would replace the pool's whole `options` (the URL wins in
  // node-postgres), dropping the generic plans below: it is taken out and merged with ours instead
  const connection = new URL(url)
  const urlOptions = connection.searchParams.get('options') ?? ''
  connection.searchParams.delete('options')
  const pool = new pg.Pool({
    connectionString: connection.href,
    max: options.poolSize ?? Number(process.env.DATABASE_POOL_SIZE ?? 16),
    // a connection that cannot be made in time is an outage too, answered 503 like a slow query
    // (at least a second: a statement timeout can be far shorter than a connection takes)
    connectionTimeoutMillis: timeoutMs > 0 ? Math.min(Math.max(timeoutMs, 1000), 3000) : 3000,
    idleTimeoutMillis: 30000,
    // a connection cut without a FIN (a dropped route, a dead host) is noticed by the timeouts
    // below while in use, and by TCP keep-alive while idle
    keepAlive: true,
    // the server cancels first and says why; the client's own limit catches a silent connection.
    // 0: no limit (migrations, seeds and the CLI's long reads)
    ...(timeoutMs > 0 ? { query_timeout: timeoutMs + 1000 } : {}),
    // our statements are few and prepared: plan each once per connection (a 6-table join costs
    // more to plan than to run), whatever the size of a batch
    options: [
      `-c statement_timeout=${timeoutMs}`, // first: a statement_timeout in the URL wins
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
  let errors = 0
  const run = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params?: readonly unknown[]) {
      try {
        // parameterized queries run as named prepared statements: Postgres parses and plans each
        // once per connection instead of on every lookup
        const result = params
          ? await client.query({ name: statementName(sql), text: sql, values: params as unknown[] })
          : await client.query(sql)
        return result.rows as Row[]
      } catch (err) {
        errors++
        throw new DatabaseError(err)
      }
    },
    async exec(sqlText: string) {
      try {
        await client.query(sqlText)
      } catch (err) {
        throw new DatabaseError(err)
      }
    },
  })
  return {
    engine: 'pg',
    ...run(pool),
    stats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      errors,
    }),
    async transaction(fn) {
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (err) {
        throw new DatabaseError(err)
      }
      // a checked-out client has no listener of the pool's: a connection lost between two
      // statements would otherwise be an unhandled 'error' event, which ends the process
      let lost: Error | undefined
      const onError = (err: Error) => {
        lost ??= err
        log.warn({ err: { message: err.message } }, 'database connection lost in a transaction')
      }
      client.on('error', onError)
      let failed: unknown
      try {
        const tx = run(client)
        await tx.exec('begin')
        const result = await fn(tx)
        await tx.exec('commit')
        return result
      } catch (err) {
        failed = err
        await client.query('rollback').catch(() => undefined)
        throw err
      } finally {
        client.off('error', onError)
        // a connection that failed in any way is discarded, not handed to the next request
        client.release(lost ?? (failed instanceof DatabaseError ? failed : undefined))
      }
    },
    async listen(channel, onMessage, lost) {
      if (!/^[a-z_]+$/.test(channel)) throw new Error(`not a channel name: ${channel}`)
      const client = new pg.Client({
        connectionString: connection.href,
        keepAlive: true,
        ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
      })
      let stopped = false
      const fail = (err: Error) => {
        if (stopped) return
        stopped = true
        client.end().catch(() => undefined)
        lost(err)
      }
      client.on('error', fail)
      client.on('end', () => fail(new Error('the notification connection ended')))
      client.on('notification', (n) => {
        if (n.channel === channel) onMessage(n.payload ?? '')
      })
      try {
        await client.connect()
        await client.query(`listen ${channel}`)
      } catch (err) {
        stopped = true
        await client.end().catch(() => undefined)
        throw new DatabaseError(err)
      }
      return async () => {
        stopped = true
        await client.end().catch(() => undefined)
      }
    },
    async close() {
      await pool.end()
    },
  }
}

const DEFAULT_TIMEOUT_MS = 5000

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
