import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { connect, createServer, type Server } from 'node:net'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { StartupError } from '../errors.js'

/**
 * The embedded database has one owner: PGlite is one process's memory, and two processes opening one
 * folder each keep their own copy and overwrite each other's changes. The owner is named in a file
 * (in PGLITE_DIR, else in DATA_DIR for a database in memory) for as long as it runs.
 */
export interface Owner {
  readonly pid: number
  readonly host: string
  /** 'server', or the command of a CLI that opened the folder itself */
  readonly role: string
  readonly since: string
  readonly database: string
  /** the server's operator socket, where local tools reach its database */
  readonly socket?: string
  readonly httpPort?: number
  readonly whoisPort?: number
}

const FILE = 'rdds-owner.json'

/** where the owner of the embedded database of this configuration is named */
export function ownerFile(config: {
  readonly PGLITE_DIR?: string | undefined
  readonly DATA_DIR: string
}) {
  return resolve(join(config.PGLITE_DIR ?? config.DATA_DIR, FILE))
}

/** what an owner is, in the words of a one-line refusal */
export function describeOwner(o: Owner): string {
  const what =
    o.role === 'server'
      ? `a server${o.httpPort ? ` (HTTP port ${o.httpPort})` : ''}`
      : `rdds ${o.role}`
  return `${what}, process ${o.pid} on ${o.host} since ${o.since}`
}

/** the live owner named in `file`, if any; a name left by a process that is gone does not count */
export async function currentOwner(file: string): Promise<Owner | undefined> {
  const owner = await readOwner(file)
  if (!owner) return undefined
  if (ABSTRACT_LOCKS) return (await lockHeld(file)) ? owner : undefined
  return isAlive(owner) ? owner : undefined
}

async function readOwner(file: string): Promise<Owner | undefined> {
  return readJson<Owner>(file)
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T
  } catch {
    return undefined
  }
}

function isAlive(o: { readonly pid: number; readonly host: string }): boolean {
  if (typeof o.pid !== 'number') return false
  // another host sharing the folder cannot be asked: it owns it until it removes its name
  if (o.host !== hostname()) return true
  // our own pid in the file is a previous life of this process (a container's pid 1)
  if (o.pid === process.pid) return false
  try {
    process.kill(o.pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * On Linux the lock is a socket in the abstract namespace, named after the file: binding it is
 * atomic, and the kernel frees it when its process ends, however it ends. Several processes finding
 * a dead owner's name at once can then never all take over. Elsewhere the file itself is the lock.
 */
const ABSTRACT_LOCKS = process.platform === 'linux'

const lockName = (file: string) =>
  `\0tiered-rdds-owner-${createHash('sha256').update(resolve(file)).digest('hex').slice(0, 32)}`

/** holds the lock of `file` for this process's life, or undefined when another process holds it */
function takeLock(file: string): Promise<Server | undefined> {
  return new Promise((done, fail) => {
    const lock = createServer((peer) => peer.destroy())
    lock.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? done(undefined) : fail(err),
    )
    lock.listen(lockName(file), () => done(lock.unref()))
  })
}

function lockHeld(file: string): Promise<boolean> {
  return new Promise((done) => {
    const probe = connect(lockName(file))
    probe.once('connect', () => {
      probe.destroy()
      done(true)
    })
    probe.once('error', () => done(false))
  })
}

export interface Ownership {
  readonly file: string
  /** adds what became known after the claim (socket, ports) */
  update(fields: Partial<Owner>): Promise<void>
  release(): Promise<void>
}

/**
 * Names this process the owner in `file`, or refuses with one line naming the live owner. A name
 * left by a process that died is taken over.
 */
export async function claimOwnership(
  file: string,
  role: string,
  database: string,
): Promise<Ownership> {
  let owner: Owner = {
    pid: process.pid,
    host: hostname(),
    role,
    since: new Date().toISOString(),
    database,
  }
  await mkdir(resolve(file, '..'), { recursive: true, mode: 0o700 })
  const refuse = (live: Owner | undefined) =>
    new StartupError(
      `the embedded database ${database} is in use by ${live ? describeOwner(live) : 'another process'}; stop it first, or use another ${database === 'in memory' ? 'DATA_DIR' : 'PGLITE_DIR'}`,
    )
  const lock = ABSTRACT_LOCKS ? await takeLock(file) : undefined
  if (ABSTRACT_LOCKS && !lock) throw refuse(await readOwner(file))
  for (let attempt = 0; !lock; attempt++) {
    try {
      await writeFile(file, JSON.stringify(owner), { flag: 'wx', mode: 0o600 })
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err
    }
    const live = await currentOwner(file)
    if (live) throw refuse(live)
    // the previous owner is gone: move its name aside and retry
    await rename(file, `${file}.${process.pid}.stale`).catch(() => undefined)
    await unlink(`${file}.${process.pid}.stale`).catch(() => undefined)
  }
  let released = false
  const write = async () => {
    const temp = `${file}.${process.pid}.tmp`
    await writeFile(temp, JSON.stringify(owner), { mode: 0o600 })
    await rename(temp, file)
  }
  if (lock) await write()
  return {
    file,
    async update(fields) {
      owner = { ...owner, ...fields }
      if (!released) await write()
    },
    async release() {
      if (released) return
      released = true
      // only our own name: never one that another process wrote after taking over
      const named = await readOwner(file)
      if (named?.pid === process.pid && named.host === owner.host)
        await unlink(file).catch(() => undefined)
      lock?.close()
    },
  }
}

export interface Announced {
  readonly pid: number
  readonly host: string
  readonly httpPort: number
  readonly whoisPort: number
}

const ANNOUNCED = 'rdds-server.json'

/**
 * Says where the server of this DATA_DIR listens, for tools that show how to reach it (`rdds
 * token`); on any database. Returns what takes it back.
 */
export async function announceServer(
  dataDir: string,
  ports: { httpPort: number; whoisPort: number },
): Promise<() => Promise<void>> {
  const file = resolve(dataDir, ANNOUNCED)
  const me = { pid: process.pid, host: hostname(), ...ports }
  await mkdir(resolve(dataDir), { recursive: true, mode: 0o700 })
  await writeFile(`${file}.${process.pid}.tmp`, JSON.stringify(me), { mode: 0o600 })
  await rename(`${file}.${process.pid}.tmp`, file)
  return async () => {
    const named = await readJson<Announced>(file)
    if (named?.pid === me.pid) await unlink(file).catch(() => undefined)
  }
}

/** the live server announced in DATA_DIR, if any */
export async function announcedServer(dataDir: string): Promise<Announced | undefined> {
  const named = await readJson<Announced>(resolve(dataDir, ANNOUNCED))
  return named && isAlive(named) ? named : undefined
}
