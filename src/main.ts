import cluster from 'node:cluster'
import { runPrimary, workerCount } from './cluster.js'
import { loadConfig } from './config.js'
import { StartupError } from './errors.js'
import { createLogger, flushLog } from './log.js'
import { PolicyError } from './policy/load.js'
import { startServer } from './server.js'

/** wiring only: config → logger → server; signals stop it cleanly */
async function main(): Promise<void> {
  const config = loadConfig()
  const log = createLogger(config)
  const workers = workerCount(config)
  if (workers > 1 && cluster.isPrimary) return runPrimary(config, log, workers)
  const starting = startServer(config, log)
  // handlers go in before the server can say it listens: a signal sent on that line must not
  // find the default action (an abrupt exit) still in place
  let stopping = false
  const stop = async (signal: string) => {
    // a repeated signal changes nothing: npm forwards the terminal's Ctrl-C, so one often comes twice
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping')
    const server = await starting.catch(() => undefined) // a failed start exits on its own
    if (!server) return
    await server.stop()
    await flushLog(log)
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection')
    void flushLog(log).then(() => process.exit(1))
  })
  const server = await starting
  // a cluster's worker tells its primary where it listens
  if (cluster.isWorker)
    process.send?.({
      listening: {
        http: `http://${config.HOST}:${server.httpPort}/rdap/`,
        whois: `${config.HOST}:${server.whoisPort}`,
        ...(server.contactSmtpPort !== undefined
          ? { contactSmtp: `${config.HOST}:${server.contactSmtpPort}` }
          : {}),
      },
    })
}

main().catch((err: unknown) => {
  const known = err instanceof StartupError || err instanceof PolicyError
  process.stderr.write(
    `tiered-rdds: ${known ? err.message : ((err as Error)?.stack ?? String(err))}\n`,
  )
  process.exit(1)
})
