import type { ErrorCode } from '../errors.js'
import type { ErrorResponse } from './model.js'
import { CONFORMANCE, termsNotice, type RenderContext } from './envelope.js'

/** AppError codes → HTTP status and RFC 9083 §6 title; the only place that knows both */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  TOKEN_REQUIRED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNPROCESSABLE: 422,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  RATE_LIMITED: 429,
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  414: 'URI Too Long',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
}

/** the reason phrase of a status this server answers with */
export const reasonPhrase = (status: number): string => TITLES[status] ?? 'Error'

/** RFC 9083 §6 error body; errorCode equals the HTTP status (RCT -12108) */
export function errorBody(status: number, description: string, ctx: RenderContext): ErrorResponse {
  return {
    rdapConformance: CONFORMANCE,
    errorCode: status,
    title: TITLES[status] ?? 'Error',
    description: [description],
    notices: [termsNotice(ctx)],
  }
}
