import { resolve } from 'node:path'
import type { Config } from '../config.js'
import { createLogger } from '../log.js'
import {
  runOperation,
  type OperationArgs,
  type OperationName,
  type OperationResult,
} from '../operator/operations.js'
import { claimOwnership, currentOwner, describeOwner, ownerFile } from '../operator/owner.js'
import { depositStreams, type DepositStreams } from '../operator/deposits.js'
import { callOperator, exportThrough, importThrough } from '../operator/socket.js'
import { openDatabases } from '../storage/db.js'
import { CliError } from './errors.js'

/** the database a command works on: the server's, reached through it, or one opened here */
export interface Operator extends DepositStreams {
  run<N extends OperationName>(name: N, args: OperationArgs<N>): Promise<OperationResult<N>>
  close(): Promise<void>
}

/**
 * Opens what the configuration names. PostgreSQL: directly, as the server does. The embedded
 * database: through the server that owns it, when one runs; else a folder (PGLITE_DIR) is opened
 * here, owned by this command while it runs. An in-memory database lives only inside its server.
 */
export async function openOperator(
  config: Config,
  command: string,
  progress?: (done: number, total: number) => void,
): Promise<Operator> {
  if (config.DATABASE_URL) return openHere(config, progress)
  const file = ownerFile(config)
  const owner = await currentOwner(file)
  if (owner?.role === 'server' && owner.socket) {
    const socket = owner.socket
    const answered = async <T>(call: () => Promise<T>): Promise<T> => {
      try {
        return await call()
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ECONNREFUSED' || code === 'ENOENT')
          throw new CliError(
            `${describeOwner(owner)} owns the database but does not answer on ${socket}`,
          )
        throw err
      }
    }
    return {
      run: (name, args) => answered(() => callOperator(socket, name, args)) as never,
      importDeposit: (input, options, onProgress) =>
        answered(() =>
          importThrough(
            socket,
            input,
            {
              lenient: options.lenient,
              operator: options.operator ?? '',
              host: options.host ?? '',
            },
            onProgress,
          ),
        ),
      exportDeposit: (out) => answered(() => exportThrough(socket, out)),
      close: async () => undefined,
    }
  }
  if (owner)
    throw new CliError(
      `the embedded database ${owner.database} is in use by ${describeOwner(owner)}; try again when it is done`,
    )
  if (!config.PGLITE_DIR)
    throw new CliError(
      `no server is running on the in-memory database of DATA_DIR ${resolve(config.DATA_DIR)}: start one with the same DATA_DIR (npm start), or keep the database in a folder (PGLITE_DIR)`,
    )
  const ownership = await claimOwnership(file, command, resolve(config.PGLITE_DIR))
  try {
    const here = await openHere(config, progress)
    return {
      ...here,
      async close() {
        await here.close()
        await ownership.release()
      },
    }
  } catch (err) {
    await ownership.release()
    throw err
  }
}

async function openHere(
  config: Config,
  progress?: (done: number, total: number) => void,
): Promise<Operator> {
  const log = createLogger({ LOG_LEVEL: 'warn' })
  // a command may read the whole audit log or write a million domains: no query time limit
  const dbs = await openDatabases({ ...config, DATABASE_TIMEOUT_MS: 0 }, log)
  const ctx = { dbs, config, log, ...(progress ? { progress } : {}) }
  return {
    ...depositStreams(dbs),
    // through JSON as over the socket, so a command prints the same whichever way it ran
    run: async (name, args) =>
      JSON.parse(JSON.stringify(await runOperation(ctx, name, args))) as never,
    close: () => dbs.close(),
  }
}
