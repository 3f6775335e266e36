import { InvalidArgumentError } from 'commander'
import type { Config } from '../config.js'
import type { Operator } from './database.js'

/** one line on standard output */
export const out = (line = ''): void => {
  process.stdout.write(`${line}\n`)
}

/** the configuration from the environment, as the server reads it */
export async function cliConfig(): Promise<Config> {
  const { loadConfig } = await import('../config.js')
  return loadConfig()
}

/** runs `fn` with the database of this configuration, and closes it */
export async function withOperator<T>(
  command: string,
  fn: (op: Operator, config: Config) => Promise<T>,
  progress?: (done: number, total: number) => void,
): Promise<T> {
  const config = await cliConfig()
  const { openOperator } = await import('./database.js')
  const op = await openOperator(config, command, progress)
  try {
    return await fn(op, config)
  } finally {
    await op.close()
  }
}

/** a whole number option: commander calls it with the text given */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value)
    if (!/^\d+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`a whole number from ${min} to ${max}`)
    return n
  }
}

/** an ISO date or time option */
export function isoDate(value: string): string {
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('an ISO date, e.g. 2026-12-01')
  return d.toISOString()
}
