import type { Logger } from '../log.js'
import type { Queryable } from '../storage/db.js'
import {
  saveCheckpoint,
  takeCheckpoint,
  type Checkpoint,
  type CheckpointSigner,
} from './checkpoints.js'

export interface Checkpointer {
  /** writes a checkpoint if the head moved since this process last wrote one */
  checkpoint(): Promise<Checkpoint | undefined>
  /** the last checkpoint, then no more */
  stop(): Promise<void>
}

/**
 * A server's checkpoints: every `seconds` (0: only at shutdown) and when it stops, each to the file
 * and as a log line, so that a copy leaves the host with the logs. A failure is logged and retried
 * at the next turn: the service does not depend on it.
 */
export function startCheckpointer(deps: {
  readonly db: Queryable
  readonly signer: CheckpointSigner
  readonly file: string
  readonly seconds: number
  readonly log: Logger
}): Checkpointer {
  let last: { lastId: number; head: string } | undefined
  let running: Promise<Checkpoint | undefined> | undefined
  const checkpoint = async () => {
    try {
      const c = await takeCheckpoint(deps.db, deps.signer)
      if (last && last.lastId === c.lastId && last.head === c.head) return undefined
      await saveCheckpoint(deps.file, c)
      last = c
      deps.log.info({ auditCheckpoint: c }, 'audit checkpoint')
      return c
    } catch (err) {
      deps.log.warn({ err: { message: (err as Error).message } }, 'audit checkpoint not written')
      return undefined
    }
  }
  const once = () => (running ??= checkpoint().finally(() => (running = undefined)))
  const timer = deps.seconds > 0 ? setInterval(() => void once(), deps.seconds * 1000) : undefined
  timer?.unref()
  return {
    checkpoint: once,
    async stop() {
      clearInterval(timer)
      await running
      await checkpoint()
    },
  }
}
