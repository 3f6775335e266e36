import type { Command } from 'commander'
import { out, wholeNumber, withOperator } from './run.js'

/** rdds seed: the demo registry and N synthetic domains, for trials and benchmarks */
export function addSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('load the demo registry and N synthetic domains (deterministic, idempotent)')
    .option('--domains <n>', 'synthetic domains to add', wholeNumber(0, 100_000_000), 0)
    .action(async (o: { domains: number }) => {
      const { SingleBar, Presets } = await import('cli-progress')
      const bar = process.stderr.isTTY
        ? new SingleBar({ stream: process.stderr, etaBuffer: 20 }, Presets.shades_classic)
        : undefined
      let lastTenth = -1
      const progress = (done: number, total: number) => {
        if (bar) {
          if (!bar.isActive) bar.start(total, 0)
          bar.update(done)
        } else if (Math.floor((done / total) * 10) > lastTenth) {
          lastTenth = Math.floor((done / total) * 10)
          process.stderr.write(`seeded ${done}/${total}\n`)
        }
      }
      try {
        const r = await withOperator(
          'seed',
          (op) => op.run('seed', { domains: o.domains }),
          progress,
        )
        bar?.stop()
        out(
          `seeded ${r.domains} synthetic domains (plus the demo set) in ${r.seconds.toFixed(1)} s`,
        )
      } finally {
        bar?.stop()
      }
    })
}
