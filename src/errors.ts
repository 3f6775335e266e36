export type ErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'TOKEN_REQUIRED'
  | 'FORBIDDEN'
  | 'UNPROCESSABLE'
  | 'NOT_IMPLEMENTED'
  | 'UNAVAILABLE'
  | 'RATE_LIMITED'

/** an expected, operational failure; anything else is a bug */
export class AppError extends Error {
  readonly code: ErrorCode
  /** when the client may try again, for RATE_LIMITED and UNAVAILABLE */
  readonly retryAfterSeconds: number | undefined
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    // an expected outcome (a name not found, a refused token) needs no stack trace; its cause keeps one
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(message, options)
    Error.stackTraceLimit = limit
    this.name = 'AppError'
    this.code = code
    this.retryAfterSeconds = options?.retryAfterSeconds
  }
}

/**
 * A query that failed in the database or on the way to it (connection lost, timeout, SQL error).
 * Carries the driver's message for logs; clients only ever learn that the database is unavailable.
 */
export class DatabaseError extends Error {
  /** the SQLSTATE, when the server sent one */
  readonly sqlState: string | undefined
  constructor(cause: unknown) {
    super((cause as Error)?.message ?? String(cause), { cause })
    this.name = 'DatabaseError'
    const code = (cause as { code?: unknown })?.code
    this.sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
  }
}

/** the operational meaning of an error at a protocol edge: AppError as is, a database failure as 503 */
export function asAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err
  if (err instanceof DatabaseError)
    return new AppError(
      'UNAVAILABLE',
      'The registration database is unavailable; try again later.',
      { cause: err },
    )
  return undefined
}

/** a start-up failure (config, policy, migrations): printed as one message, exit 1 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StartupError'
  }
}
