import { createServer, type Server } from 'node:http'
import { mkdtemp, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'

export interface TestKey {
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
  readonly kid: string
}

export async function makeKey(kid: string, alg: 'ES256' | 'RS256' = 'ES256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, kid }
}

export async function writeJwksFile(keys: readonly TestKey[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rdds-jwks-'))
  const file = join(dir, 'jwks.json')
  await writeFile(file, JSON.stringify({ keys: keys.map((k) => k.publicJwk) }))
  return file
}

/** a JWKS endpoint on loopback, as an identity provider would serve it */
export async function serveJwks(
  keys: readonly TestKey[],
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json')
    res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

export interface TokenOptions {
  readonly iss: string
  readonly aud: string
  readonly sub?: string
  readonly claims?: Record<string, unknown>
  readonly expiresIn?: string | number
  readonly notBefore?: string | number
  readonly issuedAt?: number
  readonly alg?: string
}

export async function signToken(key: TestKey, o: TokenOptions): Promise<string> {
  const jwt = new SignJWT(o.claims ?? {})
    .setProtectedHeader({ alg: o.alg ?? (key.publicJwk.alg as string), kid: key.kid, typ: 'JWT' })
    .setIssuer(o.iss)
    .setAudience(o.aud)
    .setSubject(o.sub ?? 'analyst-7')
    .setIssuedAt(o.issuedAt)
    .setExpirationTime(o.expiresIn ?? '10m')
  if (o.notBefore !== undefined) jwt.setNotBefore(o.notBefore)
  return jwt.sign(key.privateKey)
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** an unsigned token (alg "none") with the given payload */
export function unsignedToken(payload: Record<string, unknown>): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`
}
