export type ErrorCode =
  'BAD_REQUEST' | 'NOT_FOUND' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_IMPLEMENTED' | 'UNAVAILABLE'

/** an expected, operational failure; anything else is a bug */
export class AppError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    // an expected outcome (a name not found, a refused token) needs no stack trace; its cause keeps one
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(message, options)
    Error.stackTraceLimit = limit
    this.name = 'AppError'
    this.code = code
  }
}

/** a start-up failure (config, policy, migrations): printed as one message, exit 1 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StartupError'
  }
}
