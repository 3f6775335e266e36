import { decodeJwt, jwtVerify } from 'jose'
import { z } from 'zod'
import { AppError } from '../errors.js'
import { REGISTRY_OPERATOR, type Issuer } from './issuers.js'
import { verificationFailure } from './tokens.js'

/** who pushes registry data: the token's issuer and subject, for the change log */
export interface RegistryOperator {
  readonly issuer: string
  readonly subject: string
}

const Claims = z.object({ sub: z.string().min(1).max(256) })

const unauthorized = (message: string) => new AppError('UNAUTHORIZED', message)

/**
 * Authorization header -> the registry operator it names. Only a token whose audience is
 * `registry-operator`, from a trusted issuer that grants it, may write registry data: a disclosure
 * token (registrar or accredited) is refused with 403, anything unverifiable with 401.
 */
export function createOperatorVerifier(issuers: ReadonlyMap<string, Issuer>) {
  return async function verifyOperator(
    authorization: string | undefined,
  ): Promise<RegistryOperator> {
    if (authorization === undefined)
      throw unauthorized('This API needs a bearer token for the registry-operator audience.')
    const match = /^Bearer ([A-Za-z0-9_.~+/-]+=*)$/.exec(authorization.trim())
    if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".')
    const token = match[1]!
    let iss: unknown
    try {
      iss = decodeJwt(token).iss
    } catch {
      throw unauthorized('The token is malformed.')
    }
    const issuer = typeof iss === 'string' ? issuers.get(iss) : undefined
    if (!issuer) throw unauthorized('The token issuer is not trusted.')
    let payload: Record<string, unknown>
    try {
      ;({ payload } = await jwtVerify(token, issuer.keys, {
        issuer: issuer.iss,
        algorithms: [...issuer.algorithms],
        clockTolerance: 30,
        maxTokenAge: issuer.maxTokenAge,
        requiredClaims: ['sub', 'exp', 'iat', 'aud'],
      }))
    } catch (err) {
      throw verificationFailure(err)
    }
    const aud = payload.aud
    const audiences = Array.isArray(aud) ? aud : [aud]
    if (!audiences.includes(REGISTRY_OPERATOR))
      throw new AppError(
        'FORBIDDEN',
        `This token is not for the ingest API (its audience is not ${REGISTRY_OPERATOR}).`,
      )
    if (!issuer.grants.has(REGISTRY_OPERATOR))
      throw new AppError('FORBIDDEN', `This issuer may not grant ${REGISTRY_OPERATOR}.`)
    const claims = Claims.safeParse(payload)
    if (!claims.success) throw unauthorized('The token claims are not valid.')
    return { issuer: issuer.iss, subject: claims.data.sub }
  }
}
