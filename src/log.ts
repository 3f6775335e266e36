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
  // stdout is written in 4 KiB batches, not once per line; flushed when the server stops
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }))
}

export type { Logger }
