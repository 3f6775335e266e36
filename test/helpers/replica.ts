import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** a streaming replica of the local PostgreSQL server (127.0.0.1:5432), on a port of its own */
export interface Replica {
  readonly port: number
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
 * `pg_basebackup -R` into a temporary folder, then the server binary on it as user postgres: a
 * hot standby streaming from the primary. Needs replication allowed from 127.0.0.1 (`.ci/run`
 * sees to it) and the server binaries of the primary's version.
 */
export async function startReplica(): Promise<Replica> {
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
  const major = Math.floor(Number(version.trim()) / 10000)
  const bin = `/usr/lib/postgresql/${major}/bin`
  const dir = await mkdtemp(join(tmpdir(), 'rdds-replica-'))
  const data = join(dir, 'data')
  const { stdout: ids } = await run('id', ['-u', 'postgres'])
  const { stdout: gids } = await run('id', ['-g', 'postgres'])
  await chown(dir, Number(ids), Number(gids))
  const as = (cmd: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', cmd, ...args])
  await as('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    '5432',
    '-U',
    'postgres',
    '-D',
    data,
    '-R',
    '-X',
    'stream',
  ])
  // a Debian cluster keeps its configuration outside the data folder: the copy gets its own
  const write = (file: string, text: string) =>
    as('sh', ['-c', `printf '%s\\n' "$1" > "$2"`, 'sh', text, join(data, file)])
  await write('postgresql.conf', "hot_standby = on\nlisten_addresses = '127.0.0.1'")
  await write('pg_hba.conf', 'local all all trust\nhost all all 127.0.0.1/32 trust')
  const port = await freePort()
  const child: ChildProcess = spawn(
    'runuser',
    [
      '-u',
      'postgres',
      '--',
      `${bin}/postgres`,
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'hot_standby=on',
    ],
    { stdio: 'ignore' },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  for (let i = 0; i < 100; i++) {
    const ready = await run('pg_isready', ['-h', '127.0.0.1', '-p', String(port)]).then(
      () => true,
      () => false,
    )
    if (ready) break
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    port,
    async stop() {
      await as(`${bin}/pg_ctl`, ['-D', data, 'stop', '-m', 'fast']).catch(() =>
        child.kill('SIGKILL'),
      )
      await exited
      await rm(dir, { recursive: true, force: true })
    },
  }
}
