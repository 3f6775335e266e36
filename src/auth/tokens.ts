import { decodeJwt, errors, jwtVerify } from 'jose'
import { z } from 'zod'
import { ANONYMOUS, PURPOSES, type Purpose, type Viewer } from '../domain/audience.js'
import { AppError } from '../errors.js'
import type { Queryable } from '../storage/db.js'
import { accreditationProblem, findAccreditation } from './accreditations.js'
import type { Issuer } from './issuers.js'

const MAX_TOKEN_BYTES = 8192
const CACHE_ENTRIES = 10000
// a verified signature is remembered briefly: a key withdrawn from a JWKS stops working within this
const CACHE_MS = 60000

// RFC 9560 §3.1.5.1 rdap_allowed_purposes; the rest are this server's claims (standards §8.4)
const Claims = z.object({
  sub: z.string().min(1).max(256),
  // a JSON integer: "1002" or [1002] is not a registrar id, whatever it reads as
  registrar_iana_id: z
    .number()
    .int()
    .positive()
    .max(2 ** 31)
    .optional(),
  rdap_allowed_purposes: z.array(z.enum(PURPOSES)).min(1).optional(),
  accreditation_id: z.string().min(1).max(128).optional(),
})

export interface VerifierDeps {
  readonly issuers: ReadonlyMap<string, Issuer>
  /** accreditations are read on every request, so a revocation applies at once */
  readonly db: Queryable
  readonly now?: () => Date
}

export interface BearerRequest {
  readonly authorization: string | undefined
  /** the purpose declared for this request, when the token allows several */
  readonly purpose?: string
}

const invalid = (message: string, cause?: unknown) =>
  new AppError('UNAUTHORIZED', message, { cause })

/**
 * Authorization header → Viewer. No header: anonymous. Anything wrong with a presented token is
 * an error (401, or 403 when it is valid but not entitled), never a silent downgrade to public.
 */
export function createVerifier(deps: VerifierDeps) {
  const now = deps.now ?? (() => new Date())
  // token → its verified claims, until it expires or CACHE_MS pass; the accreditation is still read each time
  const verified = new Map<
    string,
    { claims: z.infer<typeof Claims>; issuer: Issuer; until: number }
  >()
  return async function verifyBearer(req: BearerRequest): Promise<Viewer> {
    if (req.authorization === undefined) return ANONYMOUS
    const match = /^Bearer ([A-Za-z0-9_.~+/-]+=*)$/.exec(req.authorization.trim())
    if (!match) throw invalid('The Authorization header must be "Bearer <token>".')
    const token = match[1]!
    if (token.length > MAX_TOKEN_BYTES) throw invalid('The token is too large.')
    const cached = verified.get(token)
    if (cached && cached.until > now().getTime())
      return viewerOf(cached.claims, cached.issuer, req.purpose)
    if (cached) verified.delete(token)
    let iss: unknown
    try {
      iss = decodeJwt(token).iss
    } catch (err) {
      throw invalid('The token is malformed.', err)
    }
    const issuer = typeof iss === 'string' ? deps.issuers.get(iss) : undefined
    if (!issuer) throw invalid('The token issuer is not trusted.')
    let payload: unknown
    try {
      ;({ payload } = await jwtVerify(token, issuer.keys, {
        issuer: issuer.iss,
        audience: issuer.audience,
        algorithms: [...issuer.algorithms],
        clockTolerance: 30,
        maxTokenAge: issuer.maxTokenAge,
        requiredClaims: ['sub', 'exp', 'iat'],
        currentDate: now(),
      }))
    } catch (err) {
      throw verificationFailure(err)
    }
    const claims = Claims.safeParse(payload)
    if (!claims.success) throw invalid('The token claims are not valid.')
    const exp = (payload as { exp: number }).exp * 1000
    if (verified.size >= CACHE_ENTRIES) verified.delete(verified.keys().next().value!)
    verified.set(token, {
      claims: claims.data,
      issuer,
      until: Math.min(exp, now().getTime() + CACHE_MS),
    })
    return viewerOf(claims.data, issuer, req.purpose)
  }

  async function viewerOf(
    c: z.infer<typeof Claims>,
    issuer: Issuer,
    declared?: string,
  ): Promise<Viewer> {
    if (c.registrar_iana_id !== undefined && c.rdap_allowed_purposes === undefined) {
      if (!issuer.grants.has('registrar'))
        throw forbidden('This issuer may not grant registrar access.')
      return {
        kind: 'registrar',
        subject: c.sub,
        issuer: issuer.iss,
        registrarId: c.registrar_iana_id,
      }
    }
    if (!c.rdap_allowed_purposes || c.registrar_iana_id !== undefined) {
      throw invalid('The token must carry either registrar_iana_id or rdap_allowed_purposes.')
    }
    const beyond = c.rdap_allowed_purposes.filter((p) => !issuer.grants.has(`accredited:${p}`))
    if (beyond.length)
      throw forbidden(`This issuer may not grant the purpose(s) ${beyond.join(', ')}.`)
    const purpose = declaredPurpose(c.rdap_allowed_purposes, declared)
    if (!c.accreditation_id) throw invalid('The token carries no accreditation_id.')
    const problem = accreditationProblem(
      await findAccreditation(deps.db, c.accreditation_id),
      issuer.iss,
      purpose,
      now(),
    )
    if (problem) throw forbidden(`Access refused: ${problem}.`)
    return {
      kind: 'accredited',
      subject: c.sub,
      issuer: issuer.iss,
      purpose,
      accreditationId: c.accreditation_id,
    }
  }
}

function declaredPurpose(allowed: readonly Purpose[], declared?: string): Purpose {
  if (declared === undefined) {
    if (allowed.length === 1) return allowed[0]!
    throw forbidden(`Declare a purpose with ?purpose=, one of: ${allowed.join(', ')}.`)
  }
  const purpose = allowed.find((p) => p === declared)
  if (!purpose) throw forbidden('The declared purpose is not one this token allows.')
  return purpose
}

const forbidden = (message: string) => new AppError('FORBIDDEN', message)

/**
 * A failed jwtVerify: anything but jose's own verdict on the token (the issuer's keys out of reach:
 * a timeout, a refused connection, a fetch error of another realm) is an outage (503), never a
 * refused token.
 */
export function verificationFailure(err: unknown): AppError {
  if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError))
    return new AppError('UNAVAILABLE', "The token issuer's keys cannot be fetched right now.", {
      cause: err,
    })
  return invalid(tokenProblem(err), err)
}

function tokenProblem(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'The token has expired.'
  if (err instanceof errors.JWTClaimValidationFailed)
    return `The token claim "${err.claim}" is not valid.`
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return 'The token signature is not valid.'
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The token algorithm is not allowed.'
  if (err instanceof errors.JWKSNoMatchingKey) return 'No trusted key matches the token.'
  return 'The token is not valid.'
}
