import { hostname } from 'node:os'
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose'
import { AUDIENCES, PURPOSES } from '../domain/audience.js'
import { addAccreditation } from '../auth/accreditations.js'
import { REGISTRY_OPERATOR, type Grant, type IssuerSpec } from '../auth/issuers.js'
import { ensureLocalFile } from '../local-data.js'
import type { Queryable } from '../storage/db.js'

/**
 * A token issuer for local development on the embedded database: its key pair is generated into
 * DATA_DIR on first use (never committed), so `rdds token` and the running demo server agree.
 */
export const DEMO_ISSUER = 'https://issuer.demo.tiered-rdds.invalid'
export const DEMO_AUDIENCE = 'tiered-rdds-demo'
export const DEMO_ACCREDITATION = 'demo-accreditation'
const KID = 'demo-1'

async function demoKeys(dataDir: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const text = await ensureLocalFile(dataDir, 'demo-issuer/keys.json', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const privateJwk = { ...(await exportJWK(privateKey)), kid: KID, alg: 'ES256' }
    const publicJwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256', use: 'sig' }
    return JSON.stringify({ privateJwk, publicJwk }, null, 2)
  })
  const keys = JSON.parse(text) as { privateJwk: JWK; publicJwk: JWK }
  // the public half, where a server (or anyone checking a demo token) reads it
  await ensureLocalFile(dataDir, 'demo-issuer/jwks.json', () =>
    JSON.stringify({ keys: [keys.publicJwk] }),
  )
  return keys
}

/** the demo issuer's trust entry; its public key sits beside the private one in DATA_DIR */
export async function demoIssuerSpec(dataDir: string): Promise<IssuerSpec> {
  await demoKeys(dataDir)
  return {
    iss: DEMO_ISSUER,
    audience: DEMO_AUDIENCE,
    jwksFile: 'demo-issuer/jwks.json',
    algorithms: ['ES256'],
    grants: [...AUDIENCES, REGISTRY_OPERATOR],
    maxTokenAge: '24h',
  }
}

/** the demo accreditation every demo token points to: all purposes, active */
export async function ensureDemoAccreditation(db: Queryable): Promise<void> {
  await addAccreditation(
    db,
    {
      id: DEMO_ACCREDITATION,
      holder: 'Demo requester (local development only)',
      issuer: DEMO_ISSUER,
      purposes: PURPOSES,
    },
    { operator: 'tiered-rdds demo', host: hostname() },
  )
}

export interface DemoTokenRequest {
  readonly audience: Grant
  readonly registrarId?: number
  readonly ttl: string
  readonly subject?: string
}

/** signs a token the demo issuer would issue for `audience` */
export async function signDemoToken(dataDir: string, req: DemoTokenRequest): Promise<string> {
  const { privateJwk } = await demoKeys(dataDir)
  const key = await importJWK(privateJwk, 'ES256')
  const claims: Record<string, unknown> =
    req.audience === 'registrar'
      ? { registrar_iana_id: req.registrarId }
      : req.audience.startsWith('accredited:')
        ? {
            rdap_allowed_purposes: [req.audience.slice('accredited:'.length)],
            accreditation_id: DEMO_ACCREDITATION,
          }
        : {}
  return (
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT' })
      .setIssuer(DEMO_ISSUER)
      // the ingest API takes only tokens made for it
      .setAudience(req.audience === REGISTRY_OPERATOR ? REGISTRY_OPERATOR : DEMO_AUDIENCE)
      .setSubject(req.subject ?? `demo-${req.audience.replace(':', '-')}`)
      .setIssuedAt()
      .setExpirationTime(req.ttl)
      .sign(key)
  )
}
