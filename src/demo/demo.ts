import type { Issuer } from '../auth/issuers.js'
import { buildIssuers } from '../auth/issuers.js'
import { demoEnabled, type Config } from '../config.js'
import type { Logger } from '../log.js'
import type { Databases } from '../storage/db.js'
import { demoIssuerSpec, ensureDemoAccreditation } from './issuer.js'
import { seedDemoIfEmpty } from './registry.js'

/**
 * The demo, the one door production code has into this folder: the demo registry loaded into an
 * empty database, and the demo token issuer trusted with its accreditation, where no issuers file
 * is given or DEMO=true asks for it by name. Returns the issuers it adds.
 */
export async function startDemo(
  config: Config,
  dbs: Databases,
  log: Logger,
): Promise<Map<string, Issuer>> {
  if (!demoEnabled(config)) return new Map()
  if (await seedDemoIfEmpty(dbs.primary)) log.info('demo registry loaded into an empty database')
  if (config.DEMO !== 'true' && config.ISSUERS_FILE) return new Map()
  await ensureDemoAccreditation(dbs.primary)
  if (config.DATABASE_URL)
    log.warn(
      'the demo token issuer is trusted (DEMO=true): anyone who can read DATA_DIR can sign tokens for every tier; never in production',
    )
  return buildIssuers([await demoIssuerSpec(config.DATA_DIR)], config.DATA_DIR)
}
