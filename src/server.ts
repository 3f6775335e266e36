import cluster from 'node:cluster'
import { mkdtemp } from 'node:fs/promises'
import { AggregatorRegistry } from 'prom-client'
import type { Server } from 'node:http'
import type { AddressInfo, Server as NetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startCheckpointer } from './audit/checkpointer.js'
import { checkpointSigner } from './audit/checkpoints.js'
import { createAuditLog } from './audit/disclosures.js'
import { loadIssuersFile } from './auth/issuers.js'
import { createOperatorVerifier } from './auth/operator-tokens.js'
import { createVerifier } from './auth/tokens.js'
import { checkpointsFile, demoEnabled, type Config } from './config.js'
import { StartupError } from './errors.js'
import { createApp } from './http/app.js'
import { hardenEdge } from './http/edge.js'
import { httpServerFor } from './http/node-server.js'
import { anonymizeSecret } from './local-data.js'
import type { Logger } from './log.js'
import { depositStreams } from './operator/deposits.js'
import { runOperation } from './operator/operations.js'
import { announceServer, claimOwnership, ownerFile } from './operator/owner.js'
import { serveOperator } from './operator/socket.js'
import { loadPolicy, type Policy } from './policy/load.js'
import { openDatabases, type Databases, type Db } from './storage/db.js'
import { createRateLimits } from './limits/rate-limits.js'
import { createMetrics, metricsServer, NO_METRICS } from './metrics.js'
import { startAnswerCache } from './answer-cache.js'
import { cachedLookups } from './http/cached-lookups.js'
import { cursorSeal } from './search/cursor.js'
import { WHOIS_TERMS_OF_USE } from './whois/render.js'
import { createWhoisServer } from './whois/server.js'
import { createTransport } from 'nodemailer'
import { relayIdentity } from './contact/addresses.js'
import { parseHourDay } from './contact/limits.js'
import { startContactRelay, type ContactRelay } from './contact/relay.js'

export interface RunningServer {
  readonly httpPort: number
  readonly whoisPort: number
  /** the contact relay's SMTP port, where it runs */
  readonly contactSmtpPort?: number
  readonly dbs: Databases
  stop(): Promise<void>
}

/**
 * Loads everything a server needs (config, database, policy, issuers), then listens on HTTP and
 * port 43. On the embedded database it first becomes that database's one owner, and opens the
 * operator socket through which local tools reach it.
 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const secret = await anonymizeSecret(config)
  const policy = await loadPolicy(config.POLICY, { dir: config.POLICIES_DIR, secret })
  const signer = await checkpointSigner(config)
  const embedded = !config.DATABASE_URL
  const database = config.PGLITE_DIR ? resolve(config.PGLITE_DIR) : 'in memory'
  const ownership = embedded
    ? await claimOwnership(ownerFile(config), 'server', database)
    : undefined
  const cleanup: Array<() => Promise<unknown>> = [async () => ownership?.release()]
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined)
  }
  try {
    const dbs = await openDatabases(config, log)
    cleanup.push(() => dbs.close())
    const issuers = new Map([
      ...(config.ISSUERS_FILE ? await loadIssuersFile(config.ISSUERS_FILE) : []),
      ...(demoEnabled(config)
        ? await (await import('./demo/demo.js')).startDemo(config, dbs, log)
        : []),
    ])
    const audit = createAuditLog(dbs.primary)
    const checkpoints = startCheckpointer({
      db: dbs.primary,
      signer,
      file: checkpointsFile(config),
      seconds: config.AUDIT_CHECKPOINT_SECONDS,
      log,
    })
    cleanup.push(() => checkpoints.stop())
    const verifyBearer = createVerifier({ issuers, db: dbs.primary })
    const verifyOperator = createOperatorVerifier(issuers)
    const site = {
      ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
      ...(config.TERMS_URL ? { termsUrl: config.TERMS_URL } : {}),
      ...(config.PORT43_HOST ? { port43: config.PORT43_HOST } : {}),
    }
    const metrics = config.METRICS_PORT !== undefined ? createMetrics() : NO_METRICS
    metrics.watch(() => ({
      pools: (
        [
          ['primary', dbs.primary],
          ['reader', dbs.reader],
          ['search', dbs.search],
        ] as const
      )
        // the reader and search pools are the primary's own on the embedded database
        .filter(([, db], i, all) => all.findIndex(([, d]) => d === db) === i && db.stats)
        .map(([name, db]) => ({ name, ...db.stats!() })),
    }))
    const cache =
      config.CACHE_ENTRIES > 0
        ? await startAnswerCache({
            db: dbs.primary,
            max: config.CACHE_ENTRIES,
            log,
            metrics,
            // a replica may replay a change after its notification: a second at most then
            ...(config.DATABASE_READ_URL ? { ttlMs: 1000 } : {}),
          })
        : undefined
    if (cache) cleanup.push(() => cache.close())
    const lookupDeps = {
      reader: dbs.reader,
      policy,
      audit,
      log,
      metrics,
      ...(cache ? { cache } : {}),
    }
    const searchDeps = {
      ...lookupDeps,
      searchDb: dbs.search,
      cursors: cursorSeal(secret),
      searchLimits: {
        publicPageSize: config.SEARCH_PAGE_SIZE_PUBLIC,
        authenticatedPageSize: config.SEARCH_PAGE_SIZE_AUTHENTICATED,
        countCap: 10_000,
      },
    }
    const rateLimits = createRateLimits(config, log)
    cleanup.push(() => rateLimits.close())
    metrics.watch(() => ({ rateLimitRefused: rateLimits.refused }))
    const contact = await startContact(config, { db: dbs.primary, policy, secret, log })
    if (contact) cleanup.push(() => contact.stop())
    const appDeps = {
      ...(contact ? { contact } : {}),
      ...searchDeps,
      primary: dbs.primary,
      verifyBearer,
      verifyOperator,
      site,
      limits: rateLimits,
      ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
    }
    const app = createApp(appDeps)
    const http = httpServerFor(app, cache && cachedLookups({ ...appDeps, cache }))
    hardenEdge(http, site)
    const whois = createWhoisServer({
      ...lookupDeps,
      termsOfUse: WHOIS_TERMS_OF_USE,
      rateLimits,
      limits: {
        maxConnections: config.WHOIS_MAX_CONNECTIONS,
        maxConnectionsPerIp: config.WHOIS_MAX_CONNECTIONS_PER_IP,
        maxConnectionsPerNetwork: config.WHOIS_MAX_CONNECTIONS_PER_NETWORK,
      },
    })
    await listen(http, config.HTTP_PORT, config.HOST, 'HTTP_PORT', log)
    cleanup.push(() => closeGracefully(http))
    await listen(whois, config.WHOIS_PORT, config.HOST, 'WHOIS_PORT', log)
    cleanup.push(() => close(whois))
    // a cluster's workers report to the primary, which alone listens on METRICS_PORT
    if (config.METRICS_PORT !== undefined && cluster.isWorker) {
      AggregatorRegistry.setRegistries([metrics.registry])
      new AggregatorRegistry() // its constructor has this worker answer the primary's requests
    } else if (config.METRICS_PORT !== undefined) {
      const scrape = metricsServer(metrics.registry)
      await listen(scrape, config.METRICS_PORT, config.HOST, 'METRICS_PORT', log)
      cleanup.push(() => close(scrape))
    }
    if (contact)
      await listen(contact.smtp.server, contactPort(config)!, config.HOST, 'CONTACT_SMTP_PORT', log)
    const httpPort = (http.address() as AddressInfo).port
    const whoisPort = (whois.address() as AddressInfo).port
    const contactSmtpPort = contact
      ? (contact.smtp.server.address() as AddressInfo).port
      : undefined
    const withdraw = await announceServer(config.DATA_DIR, { httpPort, whoisPort })
    cleanup.push(withdraw)
    if (ownership) {
      const socket = await operatorSocketPath(config.DATA_DIR)
      const operator = await serveOperator(
        socket,
        (name, args) => runOperation({ dbs, config, log }, name, args),
        log,
        depositStreams(dbs),
      )
      cleanup.push(() => close(operator))
      await ownership.update({ socket, httpPort, whoisPort })
    }
    log.info(
      {
        http: `http://${config.HOST}:${httpPort}/rdap/`,
        whois: `${config.HOST}:${whoisPort}`,
        ...(contactSmtpPort !== undefined
          ? { contactSmtp: `${config.HOST}:${contactSmtpPort}` }
          : {}),
        policy: policy.name,
        database: embedded ? `embedded, ${database}` : 'postgres',
      },
      cluster.isWorker ? 'worker listening' : 'tiered-rdds listening',
    )
    log.flush()
    return {
      httpPort,
      whoisPort,
      ...(contactSmtpPort !== undefined ? { contactSmtpPort } : {}),
      dbs,
      stop: undo,
    }
  } catch (err) {
    await undo()
    throw err
  }
}

/** the contact relay's SMTP port: CONTACT_SMTP_PORT, else 2525 where the demo is on, else none */
function contactPort(config: Config): number | undefined {
  return config.CONTACT_SMTP_PORT ?? (demoEnabled(config) ? 2525 : undefined)
}

/** the contact relay, where it is on: its outbox starts at once, its listener with the others */
async function startContact(
  config: Config,
  deps: { db: Db; policy: Policy; secret: string; log: Logger },
): Promise<ContactRelay | undefined> {
  if (contactPort(config) === undefined) return undefined
  if (!config.SMTP_RELAY_URL)
    deps.log.warn('SMTP_RELAY_URL is unset: relayed mail is kept in the outbox until it is set')
  return startContactRelay({
    ...deps,
    transport: config.SMTP_RELAY_URL
      ? createTransport({ url: config.SMTP_RELAY_URL, pool: true, maxConnections: 4 })
      : undefined,
    identity: relayIdentity(deps.policy, config.CONTACT_FROM),
    limits: {
      sender: parseHourDay(config.CONTACT_SENDER_LIMITS),
      recipient: parseHourDay(config.CONTACT_RECIPIENT_LIMITS),
    },
    maxBytes: config.CONTACT_MAX_MESSAGE_BYTES,
    giveUpSeconds: config.CONTACT_GIVE_UP_SECONDS,
    retrySeconds: config.CONTACT_RETRY_SECONDS,
  })
}

/** in DATA_DIR, unless its path is too long for a socket (about 100 bytes): then a private temp dir */
async function operatorSocketPath(dataDir: string): Promise<string> {
  const path = resolve(dataDir, 'rdds.sock')
  if (Buffer.byteLength(path) < 100) return path
  return join(await mkdtemp(join(tmpdir(), 'rdds-')), 'rdds.sock')
}

/** listens, or rejects with one line naming the variable to change; later errors are logged */
function listen(
  server: Server | NetServer,
  port: number,
  host: string,
  variable: string,
  log: Logger,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE'
          ? 'is in use by another program'
          : err.code === 'EACCES'
            ? 'needs privileges this process does not have'
            : err.code === 'EADDRNOTAVAIL'
              ? 'names an address this machine does not have'
              : `cannot be opened (${err.code ?? err.message})`
      reject(new StartupError(`${host}:${port} ${why}; set ${variable} (or HOST) to another`))
    }
    server.once('error', failed)
    server.listen(port, host, () => {
      server.off('error', failed)
      server.on('error', (err) => log.error({ err }, `${variable} listener failed`))
      resolve()
    })
  })
}

/**
 * Stops accepting connections and lets the requests in flight finish: idle keep-alive connections
 * are closed as they become idle; whatever is still open after 10 s is cut.
 */
async function closeGracefully(http: Server): Promise<void> {
  const closed = close(http)
  const idle = setInterval(() => http.closeIdleConnections(), 50)
  http.closeIdleConnections()
  const cut = setTimeout(() => http.closeAllConnections(), 10_000)
  await closed
  clearInterval(idle)
  clearTimeout(cut)
}

function close(server: NetServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}
