import { createServer, type Server } from 'node:http'
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type RegistryContentType,
} from 'prom-client'

/**
 * What the server counts for Prometheus, names prefixed rdds_. Labels take values from closed sets
 * only (protocols, query types, audiences, statuses): never a name, a value or a token.
 */
export interface Metrics {
  readonly registry: Registry<RegistryContentType>
  /** one answered request or query */
  request(
    protocol: Protocol,
    query: string,
    audience: string,
    status: string,
    seconds: number,
  ): void
  /** a disclosure beyond the public view, by the audience it was made to */
  disclosure(audience: string): void
  /** one append to the audit log, and whether it was written */
  auditAppend(seconds: number, ok: boolean): void
  /** a port-43 connection refused (its reason: address, network, full) */
  whoisRefused(reason: string): void
  /** a cache lookup, or an invalidation */
  cache(event: 'hit' | 'miss' | 'invalidation'): void
  /** values read when Prometheus scrapes: pools, open connections, refusals so far */
  watch(read: () => Watched): void
}

export type Protocol = 'rdap' | 'web' | 'whois'

/** what is read at each scrape */
export interface Watched {
  readonly pools?: ReadonlyArray<{
    readonly name: string
    readonly total: number
    readonly idle: number
    readonly waiting: number
    readonly errors: number
  }>
  readonly whoisOpen?: number
  readonly rateLimitRefused?: number
}

/** counts nothing: for tests and tools that have no listener */
export const NO_METRICS: Metrics = {
  registry: new Registry(),
  request: () => undefined,
  disclosure: () => undefined,
  auditAppend: () => undefined,
  whoisRefused: () => undefined,
  cache: () => undefined,
  watch: () => undefined,
}

const AUDIENCE_LABEL = (audience: string) =>
  audience.startsWith('accredited:') ? 'accredited' : audience

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'rdds_' })
  const requests = new Counter({
    name: 'rdds_requests_total',
    help: 'Requests answered, by protocol, query type, audience and status',
    labelNames: ['protocol', 'query', 'audience', 'status'] as const,
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'rdds_request_duration_seconds',
    help: 'Time to answer, by protocol and query type',
    labelNames: ['protocol', 'query'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const disclosures = new Counter({
    name: 'rdds_disclosures_total',
    help: 'Disclosures of personal data beyond the public view, by audience (purpose)',
    labelNames: ['audience'] as const,
    registers: [registry],
  })
  const audit = new Histogram({
    name: 'rdds_audit_append_duration_seconds',
    help: 'Time to append a row to the audit log',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [registry],
  })
  const auditFailures = new Counter({
    name: 'rdds_audit_append_failures_total',
    help: 'Audit rows not written (the disclosure was refused)',
    registers: [registry],
  })
  const whoisRefused = new Counter({
    name: 'rdds_whois_connections_refused_total',
    help: 'Port-43 connections refused, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  })
  const cache = new Counter({
    name: 'rdds_cache_events_total',
    help: 'Public answer cache: hits, misses, invalidations',
    labelNames: ['event'] as const,
    registers: [registry],
  })
  const watchers: Array<() => Watched> = []
  const read = () => watchers.map((w) => w())
  new Gauge({
    name: 'rdds_db_pool_connections',
    help: 'Database connections by pool and state',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset()
      for (const w of read())
        for (const p of w.pools ?? []) {
          this.set({ pool: p.name, state: 'total' }, p.total)
          this.set({ pool: p.name, state: 'idle' }, p.idle)
          this.set({ pool: p.name, state: 'waiting' }, p.waiting)
        }
    },
  })
  new Gauge({
    name: 'rdds_db_errors',
    help: 'Database errors so far, by pool (queries failed or connections lost)',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      this.reset()
      for (const w of read()) for (const p of w.pools ?? []) this.set({ pool: p.name }, p.errors)
    },
  })
  new Gauge({
    name: 'rdds_whois_connections_open',
    help: 'Port-43 connections open',
    registers: [registry],
    collect() {
      this.set(read().reduce((n, w) => n + (w.whoisOpen ?? 0), 0))
    },
  })
  new Gauge({
    name: 'rdds_rate_limit_refusals',
    help: 'Queries refused by the rate limits so far',
    registers: [registry],
    collect() {
      this.set(read().reduce((n, w) => n + (w.rateLimitRefused ?? 0), 0))
    },
  })
  return {
    registry,
    request(protocol, query, audience, status, seconds) {
      requests.inc({ protocol, query, audience: AUDIENCE_LABEL(audience), status })
      latency.observe({ protocol, query }, seconds)
    },
    disclosure: (audience) => disclosures.inc({ audience }),
    auditAppend(seconds, ok) {
      audit.observe(seconds)
      if (!ok) auditFailures.inc()
    },
    whoisRefused: (reason) => whoisRefused.inc({ reason }),
    cache: (event) => cache.inc({ event }),
    watch: (w) => void watchers.push(w),
  }
}

/** the query type of an HTTP path, from a closed set: never the name asked for */
export function queryOf(path: string): string {
  const m = /^\/rdap\/([a-z_]+)(\/[a-z_]+)?/.exec(path)
  if (m) {
    if (m[1] === 'domains' && m[2] === '/reverse_search') return 'reverse_search'
    if (m[1] === 'domains' || m[1] === 'nameservers' || m[1] === 'entities') return 'search'
    return ['domain', 'nameserver', 'entity', 'help'].includes(m[1]!) ? m[1]! : 'other'
  }
  if (path === '/') return 'web_lookup'
  if (path.startsWith('/registrar')) return 'workbench'
  if (path.startsWith('/contact')) return 'contact_form'
  if (path === '/terms' || path.startsWith('/assets/')) return 'web_static'
  if (path.startsWith('/ingest/')) return 'ingest'
  if (path === '/healthz' || path === '/readyz') return 'health'
  return 'other'
}

/** what a scrape reads: one registry, or the cluster's workers' summed */
export interface Scrapable {
  readonly contentType: string
  metrics(): Promise<string>
}

/** METRICS_PORT's listener: GET /metrics in Prometheus's text format, nothing else */
export function metricsServer(registry: Scrapable): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.statusCode = 404
      res.end()
      return
    }
    registry.metrics().then(
      (text) => {
        res.setHeader('Content-Type', registry.contentType)
        res.end(text)
      },
      () => {
        res.statusCode = 500
        res.end()
      },
    )
  })
}
