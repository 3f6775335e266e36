/** the command was used wrongly: its usage is shown, exit 2 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** the command could not do what it was asked: one line, exit 1 */
export class CliError extends Error {
  override readonly name = 'CliError'
}
