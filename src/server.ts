import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { join } from 'node:path'
import { createAuditLog } from './audit/disclosures.js'
import { demoIssuerSpec, ensureDemoAccreditation } from './auth/demo-issuer.js'
import { buildIssuers, loadIssuersFile, type Issuer } from './auth/issuers.js'
import { createVerifier } from './auth/tokens.js'
import type { Config } from './config.js'
import { createApp } from './http/app.js'
import { httpServerFor } from './http/node-server.js'
import { anonymizeSecret } from './local-data.js'
import type { Logger } from './log.js'
import { loadPolicy } from './policy/load.js'
import { openDatabases, type Databases } from './storage/db.js'
import { seedDemoIfEmpty } from './storage/seed.js'
import { createWhoisServer } from './whois/server.js'

export interface RunningServer {
  readonly httpPort: number
  readonly whoisPort: number
  readonly dbs: Databases
  stop(): Promise<void>
}

const TERMS_OF_USE =
  "Registration data is provided for lawful purposes only. Personal data of natural persons is withheld from the public under the registry's disclosure policy; accredited access is available over RDAP. Bulk or automated harvesting is prohibited."

/** loads everything a server needs (config, database, policy, issuers), then listens on HTTP and port 43 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const secret = await anonymizeSecret(config)
  const policy = await loadPolicy(config.POLICY, { dir: config.POLICIES_DIR, secret })
  const dbs = await openDatabases(config, log)
  try {
    const embedded = !config.DATABASE_URL
    if (embedded && (await seedDemoIfEmpty(dbs.primary)))
      log.info('demo registry loaded into the embedded database')
    const issuers = await trustedIssuers(config, embedded, dbs)
    const audit = createAuditLog(dbs.primary)
    const verifyBearer = createVerifier({ issuers, db: dbs.primary })
    const site = {
      ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
      termsUrl: config.TERMS_URL,
      ...(config.PORT43_HOST ? { port43: config.PORT43_HOST } : {}),
    }
    const lookupDeps = { reader: dbs.reader, policy, audit, log }
    const app = createApp({ ...lookupDeps, primary: dbs.primary, verifyBearer, site })
    const http = httpServerFor(app)
    http.keepAliveTimeout = 5000
    const whois = createWhoisServer({
      ...lookupDeps,
      termsOfUse: TERMS_OF_USE,
      limits: {
        maxConnections: config.WHOIS_MAX_CONNECTIONS,
        maxConnectionsPerIp: config.WHOIS_MAX_CONNECTIONS_PER_IP,
      },
    })
    await listen(http, config.HTTP_PORT, config.HOST)
    await listen(whois, config.WHOIS_PORT, config.HOST)
    const httpPort = (http.address() as AddressInfo).port
    const whoisPort = (whois.address() as AddressInfo).port
    log.info(
      {
        http: `http://${config.HOST}:${httpPort}/rdap/`,
        whois: `${config.HOST}:${whoisPort}`,
        policy: policy.name,
        database: embedded ? (config.PGLITE_DIR ?? 'embedded, in memory') : 'postgres',
      },
      'tiered-rdds listening',
    )
    log.flush()
    return {
      httpPort,
      whoisPort,
      dbs,
      async stop() {
        http.closeAllConnections()
        await Promise.all([close(http), close(whois)])
        await dbs.close()
      },
    }
  } catch (err) {
    await dbs.close()
    throw err
  }
}

async function trustedIssuers(
  config: Config,
  embedded: boolean,
  dbs: Databases,
): Promise<Map<string, Issuer>> {
  if (config.ISSUERS_FILE) return loadIssuersFile(config.ISSUERS_FILE)
  if (!embedded) return new Map()
  // local development: a demo issuer and accreditation, so every tier can be tried at once
  await ensureDemoAccreditation(dbs.primary)
  return buildIssuers([await demoIssuerSpec(config.DATA_DIR)], join(config.DATA_DIR))
}

function listen(
  server: Server | import('node:net').Server,
  port: number,
  host: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function close(server: import('node:net').Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}
