import type { Command } from 'commander'
import { out, withOperator } from './run.js'

/** rdds migrate: apply sql/ migrations (every server start does it too) */
export function addMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply the sql/ migrations to the configured database')
    .action(async () => {
      const r = await withOperator('migrate', (op) => op.run('migrate', {}))
      out(
        r.applied.length ? `migrations applied: ${r.applied.join(', ')}` : 'migrations up to date',
      )
    })
}
