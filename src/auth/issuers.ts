import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose'
import { parse } from 'yaml'
import { z } from 'zod'
import { AUDIENCES, type Audience } from '../domain/audience.js'
import { StartupError } from '../errors.js'

// asymmetric only: an HMAC algorithm would let a public key sign (RFC 8725 §3.1)
const ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const

/** what an issuer may grant: the disclosure audiences, and writing registry data (the ingest API) */
export const REGISTRY_OPERATOR = 'registry-operator'
export type Grant = Audience | typeof REGISTRY_OPERATOR
const GRANTS: readonly Grant[] = [...AUDIENCES, REGISTRY_OPERATOR]

const IssuerEntry = z
  .strictObject({
    iss: z.string().min(1),
    audience: z.string().min(1).describe('the aud this server expects in tokens'),
    jwksFile: z.string().min(1).optional(),
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    algorithms: z.array(z.enum(ALGORITHMS)).min(1).default(['ES256', 'RS256', 'EdDSA']),
    grants: z.array(z.enum(GRANTS as [string, ...string[]])).min(1),
    maxTokenAge: z.string().default('1h'),
  })
  .refine(
    (i) => Boolean(i.jwksFile) !== Boolean(i.jwksUrl),
    'give exactly one of jwksFile or jwksUrl',
  )

const IssuersFile = z.strictObject({ issuers: z.array(IssuerEntry) })

/** a trusted issuer: whose tokens we accept, with which keys, granting which audiences */
export interface Issuer {
  readonly iss: string
  readonly audience: string
  readonly algorithms: readonly string[]
  readonly grants: ReadonlySet<Grant>
  readonly maxTokenAge: string
  readonly keys: JWTVerifyGetKey
}

export type IssuerSpec = z.input<typeof IssuerEntry>

/** builds issuers from specs; a JWKS file path is relative to `baseDir` */
export async function buildIssuers(
  specs: readonly IssuerSpec[],
  baseDir: string,
): Promise<Map<string, Issuer>> {
  const parsed = z.array(IssuerEntry).safeParse(specs)
  if (!parsed.success) throw new StartupError(`trusted issuers: ${z.prettifyError(parsed.error)}`)
  const issuers = new Map<string, Issuer>()
  for (const spec of parsed.data) {
    const keys = spec.jwksFile
      ? createLocalJWKSet(JSON.parse(await readFile(resolve(baseDir, spec.jwksFile), 'utf8')))
      : createRemoteJWKSet(new URL(spec.jwksUrl!), {
          timeoutDuration: 2000,
          cooldownDuration: 30000,
          cacheMaxAge: 600000,
        })
    issuers.set(spec.iss, {
      iss: spec.iss,
      audience: spec.audience,
      algorithms: spec.algorithms,
      grants: new Set(spec.grants as Grant[]),
      maxTokenAge: spec.maxTokenAge,
      keys,
    })
  }
  return issuers
}

/** reads ISSUERS_FILE (YAML) */
export async function loadIssuersFile(file: string): Promise<Map<string, Issuer>> {
  let data: unknown
  try {
    data = parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new StartupError(`cannot read ISSUERS_FILE ${file}: ${(err as Error).message}`)
  }
  const parsed = IssuersFile.safeParse(data)
  if (!parsed.success) throw new StartupError(`${file}: ${z.prettifyError(parsed.error)}`)
  return buildIssuers(parsed.data.issuers, dirname(file))
}
