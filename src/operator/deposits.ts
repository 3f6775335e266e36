import type { Readable, Writable } from 'node:stream'
import { importDeposit, type ImportProgress, type ImportSummary } from '../ingest/import.js'
import { exportDeposit, type ExportSummary } from '../ingest/rde-write.js'
import type { Databases } from '../storage/db.js'

/** the operations whose input or output is a deposit: streams, not JSON */
export interface DepositStreams {
  importDeposit(
    input: Readable,
    options: { lenient: boolean; operator?: string | undefined; host?: string | undefined },
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportSummary>
  exportDeposit(out: Writable, onProgress?: (objects: number) => void): Promise<ExportSummary>
}

export function depositStreams(dbs: Databases): DepositStreams {
  return {
    importDeposit: (input, options, onProgress) =>
      importDeposit(dbs.primary, input, {
        lenient: options.lenient,
        ...(options.operator ? { operator: options.operator } : {}),
        ...(options.host ? { host: options.host } : {}),
        ...(onProgress ? { onProgress } : {}),
      }),
    exportDeposit: (out, onProgress) => exportDeposit(dbs.primary, out, onProgress),
  }
}
