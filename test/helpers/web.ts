import { addAccreditation } from '../../src/auth/accreditations.js'
import { buildIssuers } from '../../src/auth/issuers.js'
import { startTestApp, type TestApp } from './app.js'
import { makeKey, signToken, writeJwksFile } from './tokens.js'

const LA = 'https://la.test'
const PORTAL = 'https://portal.test'
const AUD = 'rdap'

export interface WebTestApp {
  readonly t: TestApp
  /** a law-enforcement token with its accreditation */
  le(): Promise<string>
  /** a registrar portal's token for the registrar with this IANA id */
  registrar(ianaId: number): Promise<string>
}

/** the app with a law-enforcement issuer and a registrar portal, as the web pages' tests need */
export async function startWebTestApp(
  options: Omit<Parameters<typeof startTestApp>[0] & object, 'issuers'> = {},
): Promise<WebTestApp> {
  const [laKey, portalKey] = await Promise.all([makeKey('la-1'), makeKey('portal-1')])
  const issuers = await buildIssuers(
    [
      {
        iss: LA,
        audience: AUD,
        jwksFile: await writeJwksFile([laKey]),
        grants: ['accredited:law-enforcement'],
      },
      {
        iss: PORTAL,
        audience: AUD,
        jwksFile: await writeJwksFile([portalKey]),
        grants: ['registrar'],
      },
    ],
    '/',
  )
  const t = await startTestApp({ ...options, issuers })
  await addAccreditation(
    t.db.primary,
    { id: 'acc-le', holder: 'Police', issuer: LA, purposes: ['law-enforcement'] },
    { operator: 'test', host: 'localhost' },
  )
  return {
    t,
    le: () =>
      signToken(laKey, {
        iss: LA,
        aud: AUD,
        claims: { rdap_allowed_purposes: ['law-enforcement'], accreditation_id: 'acc-le' },
      }),
    registrar: (ianaId) =>
      signToken(portalKey, {
        iss: PORTAL,
        aud: AUD,
        sub: `registrar-${ianaId}`,
        claims: { registrar_iana_id: ianaId },
      }),
  }
}
