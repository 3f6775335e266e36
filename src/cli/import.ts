import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Command } from 'commander'
import { out, withOperator } from './run.js'

/** rdds import FILE: an RFC 9022 deposit (FULL or DIFF, plain or gzip) into the registry */
export function addImportCommand(program: Command): void {
  program
    .command('import')
    .description(
      'import an RFC 9022 escrow deposit, FULL or DIFF (FILE, .gz too, or - for standard input); all or nothing',
    )
    .argument('<file>', 'the deposit, or - for standard input')
    .option('--lenient', 'import what can be, and list what was skipped (default: refuse)', false)
    .action(async (file: string, o: { lenient: boolean }) => {
      const { DepositError } = await import('../ingest/import.js')
      const { currentOperator } = await import('../operator/operations.js')
      const input = file === '-' ? process.stdin : createReadStream(file)
      const total = file === '-' ? undefined : (await stat(file)).size
      const progress = await progressReporter(total)
      try {
        const summary = await withOperator('import', (op) =>
          op.importDeposit(input, { lenient: o.lenient, ...currentOperator() }, progress.report),
        )
        progress.stop()
        const counts = (record: Record<string, number>) =>
          Object.entries(record)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ') || 'nothing'
        out(
          `imported ${summary.type} deposit ${summary.depositId} (${summary.tlds.map((t) => `.${t}`).join(' ') || 'no TLD'}) in ${summary.seconds.toFixed(1)} s: ${counts(summary.objects)}`,
        )
        if (summary.type === 'DIFF') out(`deleted: ${counts(summary.deletes)}`)
        if (summary.demoReplaced) out('the demo registry it replaced is gone')
        const extensions = Object.entries(summary.extensions)
        if (extensions.length)
          out(`ignored extensions: ${extensions.map(([name, n]) => `${name} (${n})`).join(', ')}`)
        if (summary.skipped.length) {
          out(`skipped (${summary.skipped.length}):`)
          for (const line of summary.skipped) out(`  ${line}`)
        }
      } catch (err) {
        progress.stop()
        if (err instanceof DepositError) {
          const where = err.at ? `:${err.at.line}:${err.at.col}` : ''
          throw new Error(`${file === '-' ? '<stdin>' : file}${where} ${err.message}`)
        }
        throw err
      }
    })
}

/** a bar on a terminal, a line now and then otherwise */
async function progressReporter(total: number | undefined) {
  const { SingleBar, Presets } = await import('cli-progress')
  const bar =
    process.stderr.isTTY && total
      ? new SingleBar(
          { stream: process.stderr, format: '{phase} [{bar}] {percentage}% | {objects} objects' },
          Presets.shades_classic,
        )
      : undefined
  let lastLine = 0
  let phase = ''
  const started = Date.now()
  return {
    report(p: { phase: string; bytes: number; objects: number }) {
      if (bar) {
        if (!bar.isActive) bar.start(total!, 0, { phase: p.phase, objects: 0 })
        bar.update(Math.min(p.bytes, total!), { phase: p.phase, objects: p.objects })
      } else if (p.phase !== phase || Date.now() - lastLine > 5000) {
        phase = p.phase
        lastLine = Date.now()
        process.stderr.write(
          `${((Date.now() - started) / 1000).toFixed(0)} s ${p.phase}: ${p.objects} objects${total ? `, ${Math.round((p.bytes / total) * 100)} % of the file` : ''}\n`,
        )
      }
    },
    stop: () => bar?.stop(),
  }
}
