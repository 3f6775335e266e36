import type { Request, Response } from 'express'
import { type AuditLog } from '../audit/disclosures.js'
import { auditWritable } from '../audit/read.js'
import type { Queryable } from '../storage/db.js'

const PROBE_MS = 2000
/** an append that failed this recently, with none succeeding since, marks the audit log failing */
const FAILING_MS = 30000

/**
 * GET /readyz: each part the service depends on, and whether to send it traffic. Without the
 * database nothing can be answered: 503. Without the audit log the public is still served and
 * every non-public disclosure is refused (no audit row, no disclosure): 200, "degraded", so that
 * a load balancer keeps the public service up and a monitor sees the fault (README: Health).
 */
export function readiness(primary: Queryable, audit: AuditLog) {
  return async (_req: Request, res: Response) => {
    const database = await within(
      PROBE_MS,
      primary.query('select 1').then(() => true),
    )
    const writable = database && (await within(PROBE_MS, auditWritable(primary)))
    const failing = audit.failingSince()
    const auditState = !database
      ? 'down'
      : !writable
        ? 'down'
        : failing && Date.now() - failing.getTime() < FAILING_MS
          ? 'failing'
          : 'up'
    const status = !database ? 'unavailable' : auditState === 'up' ? 'ready' : 'degraded'
    res.setHeader('Cache-Control', 'no-store')
    res.status(database ? 200 : 503).json({
      status,
      database: database ? 'up' : 'down',
      audit: auditState,
    })
  }
}

/** true if `probe` resolves true within `ms`; false if it fails, answers false or takes longer */
async function within(ms: number, probe: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([probe, late])
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}
