import { pino, type Logger, type DestinationStream } from 'pino'
import type { Config } from './config.js'

/**
 * The one place that creates loggers. Serializers are allow-lists: headers (and so tokens) and
 * query strings never reach a log line; redact is only a second guard.
 */
export function createLogger(
  config: Pick<Config, 'LOG_LEVEL'>,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.LOG_LEVEL,
    base: undefined,
    redact: { paths: ['req.headers', 'headers', 'authorization', 'token'], censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  }
  return pino(options, destination ?? logDestination(1))
}

/**
 * Where log lines go: file descriptor `fd` (stdout), written asynchronously in batches of 1-4 KiB,
 * not once per line; flushLog writes the rest at exit. The batch is capped at 4 KiB, not 16: the
 * destination re-measures it on every line. A longer line still goes whole.
 */
export function logDestination(fd: number): DestinationStream & { end(): void } {
  return pino.destination({ dest: fd, sync: false, minLength: 1024, maxWrite: 4096 })
}

interface BufferedStream {
  flushSync?: () => void
}

/**
 * Everything logged so far reaches the destination. The callback of an asynchronous flush only
 * waits for the write in flight, and lines logged meanwhile stay buffered below the 4 KiB mark,
 * so once it is done the remainder is written synchronously.
 */
export function flushLog(log: Logger): Promise<void> {
  const stream = Reflect.get(log, pino.symbols.streamSym) as BufferedStream | undefined
  return new Promise((resolve) =>
    log.flush(() => {
      try {
        stream?.flushSync?.()
      } catch {
        // a closed or broken stdout: nothing more can be written, and exiting must go on
      }
      resolve()
    }),
  )
}

export type { Logger }
