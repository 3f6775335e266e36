import cluster, { type Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import type { Server } from 'node:http'
import { AggregatorRegistry } from 'prom-client'
import { demoEnabled, type Config } from './config.js'
import { flushLog, type Logger } from './log.js'
import { metricsServer } from './metrics.js'
import { openDatabases } from './storage/db.js'

/** how many server processes WORKERS asks for */
export function workerCount(config: Pick<Config, 'WORKERS'>): number {
  return config.WORKERS === 'auto' ? availableParallelism() : Number(config.WORKERS)
}

/** what a worker tells the primary once it listens */
export interface Listening {
  readonly listening: { http: string; whois: string; contactSmtp?: string }
}

/** a worker that dies sooner than this after it started is restarted after a pause */
const QUICK_DEATH_MS = 5000
const STOP_DEADLINE_MS = 30_000

/**
 * The primary of WORKERS server processes (node's cluster: they share the ports). It prepares the
 * database once (migrations, the demo where asked for), starts the workers, restarts one that dies,
 * serves the workers' metrics summed on METRICS_PORT, and on SIGTERM or SIGINT has each stop
 * (no new connections, requests in flight finished, the audit checkpoint written), then exits.
 */
export async function runPrimary(config: Config, log: Logger, workers: number): Promise<void> {
  const dbs = await openDatabases(config, log)
  try {
    if (demoEnabled(config)) await (await import('./demo/demo.js')).startDemo(config, dbs, log)
  } finally {
    await dbs.close()
  }

  // each worker accepts on the shared sockets itself: with the primary handing out every
  // connection (round robin), port 43's connection per query made the primary the bottleneck
  cluster.schedulingPolicy = cluster.SCHED_NONE
  let stopping = false
  const started = new Map<number, number>()
  let announced = false
  const ready = new Set<number>()
  const fork = () => {
    const worker = cluster.fork()
    started.set(worker.id, Date.now())
    log.info({ worker: worker.id, pid: worker.process.pid }, 'worker started')
    log.flush()
    worker.on('message', (m: Partial<Listening>) => {
      if (!m?.listening) return
      ready.add(worker.id)
      if (!announced && ready.size >= workers) {
        announced = true
        log.info(
          { ...m.listening, workers, policy: config.POLICY, database: 'postgres' },
          'tiered-rdds listening',
        )
        log.flush()
      }
    })
  }
  cluster.on('exit', (worker: Worker, code, signal) => {
    ready.delete(worker.id)
    if (stopping) return
    const quick = Date.now() - (started.get(worker.id) ?? 0) < QUICK_DEATH_MS
    log.error(
      { worker: worker.id, pid: worker.process.pid, code, signal },
      'worker died; starting another',
    )
    log.flush()
    setTimeout(fork, quick ? 1000 : 0)
  })
  for (let i = 0; i < workers; i++) fork()

  let scrape: Server | undefined
  if (config.METRICS_PORT !== undefined) {
    // the workers' registries, summed (prom-client asks each worker over the cluster's channel)
    const aggregate = new AggregatorRegistry()
    scrape = metricsServer({
      contentType: aggregate.contentType,
      metrics: () => aggregate.clusterMetrics(),
    })
    scrape.listen(config.METRICS_PORT, config.HOST)
  }

  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping the workers')
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)
    const exited = alive.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())))
    for (const w of alive) w.process.kill('SIGTERM')
    const deadline = setTimeout(() => {
      for (const w of alive) w.process.kill('SIGKILL')
    }, STOP_DEADLINE_MS)
    await Promise.all(exited)
    clearTimeout(deadline)
    scrape?.close()
    await flushLog(log)
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}
