import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** a small PostgreSQL primary and a streaming replica of it, each on a port of its own */
export interface ReplicatedPair {
  /** a database on the primary (trust auth, user postgres) */
  readonly primaryUrl: string
  /** the same database on the replica */
  readonly replicaUrl: string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * A primary made with `initdb` in a temporary folder, then `pg_basebackup -R` of it into another
 * and the server binary on that: a hot standby streaming from the primary. The primary is a
 * cluster of its own, not the local server, so the copy takes seconds whatever else the local
 * server holds (a benchmark's registry of a million domains made it minutes). Needs the server
 * binaries of the local server's version and a user postgres to run them as.
 */
export async function startReplicatedPair(): Promise<ReplicatedPair> {
  const { stdout: version } = await run('psql', [
    '-h',
    '127.0.0.1',
    '-U',
    'postgres',
    '-d',
    'postgres',
    '-Atc',
    'show server_version_num',
  ])
  const bin = `/usr/lib/postgresql/${Math.floor(Number(version.trim()) / 10000)}/bin`
  const dir = await mkdtemp(join(tmpdir(), 'rdds-replica-'))
  const { stdout: ids } = await run('id', ['-u', 'postgres'])
  const { stdout: gids } = await run('id', ['-g', 'postgres'])
  await chown(dir, Number(ids), Number(gids))
  const as = (cmd: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', cmd, ...args])
  const servers: Array<{ data: string; exited: Promise<void>; child: ChildProcess }> = []
  const stop = async () => {
    // the replica first: a primary stopping fast waits for its WAL senders
    for (const s of [...servers].reverse()) {
      await as(`${bin}/pg_ctl`, ['-D', s.data, 'stop', '-m', 'fast']).catch(() =>
        s.child.kill('SIGKILL'),
      )
      await s.exited
    }
    await rm(dir, { recursive: true, force: true })
  }
  const serve = async (data: string, settings: string[]): Promise<number> => {
    const port = await freePort()
    const child = spawn(
      'runuser',
      ['-u', 'postgres', '--', `${bin}/postgres`, '-D', data, '-p', String(port), '-k', dir]
        .concat(['-c', 'listen_addresses=127.0.0.1'])
        .concat(settings.flatMap((s) => ['-c', s])),
      { stdio: 'ignore' },
    )
    servers.push({ data, child, exited: new Promise((r) => child.once('exit', () => r())) })
    for (let i = 0; i < 100; i++) {
      const ready = await run('pg_isready', ['-h', '127.0.0.1', '-p', String(port)]).then(
        () => true,
        () => false,
      )
      if (ready) return port
      await new Promise((r) => setTimeout(r, 200))
    }
    throw new Error(`PostgreSQL on port ${port} did not start`)
  }
  try {
    const primaryData = join(dir, 'primary')
    await as(`${bin}/initdb`, ['-D', primaryData, '-U', 'postgres', '-A', 'trust', '--no-sync'])
    // initdb's pg_hba.conf already trusts replication connections from loopback
    const primaryPort = await serve(primaryData, ['wal_level=replica', 'fsync=off'])
    const url = (port: number) => `postgresql://postgres@127.0.0.1:${port}/postgres`
    const replicaData = join(dir, 'replica')
    await as(
      'pg_basebackup',
      ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'].concat([
        '-D',
        replicaData,
        '-R',
        '-X',
        'stream',
      ]),
    )
    const replicaPort = await serve(replicaData, ['hot_standby=on'])
    return { primaryUrl: url(primaryPort), replicaUrl: url(replicaPort), stop }
  } catch (err) {
    await stop()
    throw err
  }
}
