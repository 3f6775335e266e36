import { createWriteStream } from 'node:fs'
import { rename, unlink } from 'node:fs/promises'
import { finished } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { Command } from 'commander'
import { out, withOperator } from './run.js'

/** rdds export FILE: the registry as an RFC 9022 FULL deposit */
export function addExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'write the registry as an RFC 9022 FULL deposit (FILE; gzip when it ends in .gz; - for standard output)',
    )
    .argument('<file>', 'where to write it, or -')
    .action(async (file: string) => {
      const toStdout = file === '-'
      // written beside, renamed when whole: a file named as the deposit is always a whole one
      const partial = `${file}.partial`
      const sink = toStdout ? process.stdout : createWriteStream(partial)
      const gzip = !toStdout && file.endsWith('.gz') ? createGzip() : undefined
      if (gzip) gzip.pipe(sink)
      const target = gzip ?? sink
      try {
        const summary = await withOperator('export', (op) => op.exportDeposit(target))
        if (!toStdout) {
          target.end()
          await finished(sink)
          await rename(partial, file)
          const counts = Object.entries(summary.objects)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')
          out(`exported deposit ${summary.depositId} to ${file}: ${counts}`)
        }
      } catch (err) {
        if (!toStdout) {
          sink.destroy()
          await unlink(partial).catch(() => undefined)
        }
        throw err
      }
    })
}
