import { loadConfig } from './config.js'
import { StartupError } from './errors.js'
import { createLogger, type Logger } from './log.js'
import { PolicyError } from './policy/load.js'
import { startServer } from './server.js'

/** wiring only: config → logger → server; signals stop it cleanly */
async function main(): Promise<void> {
  const config = loadConfig()
  const log = createLogger(config)
  const server = await startServer(config, log)
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping')
    await server.stop()
    await flushed(log)
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection')
    void flushed(log).then(() => process.exit(1))
  })
}

/** the log is written asynchronously: wait for what is buffered before exiting */
function flushed(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()))
}

main().catch((err: unknown) => {
  const known = err instanceof StartupError || err instanceof PolicyError
  process.stderr.write(
    `tiered-rdds: ${known ? err.message : ((err as Error)?.stack ?? String(err))}\n`,
  )
  process.exit(1)
})
