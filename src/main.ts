import { loadConfig } from './config.js'
import { StartupError } from './errors.js'
import { createLogger } from './log.js'
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
    log.flush()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection')
    log.flush()
    process.exit(1)
  })
}

main().catch((err: unknown) => {
  const known = err instanceof StartupError || err instanceof PolicyError
  process.stderr.write(`tiered-rdds: ${known ? err.message : (err as Error)?.stack ?? String(err)}\n`)
  process.exit(1)
})
