import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { CliError } from './errors.js'
import { cliConfig, out } from './run.js'

/** rdds policy-check: every policy loads and passes its test suite (no database needed) */
export function addPolicyCheckCommand(program: Command): void {
  program
    .command('policy-check [names...]')
    .description('validate policies and run their test suites (policies/tests/)')
    .action(async (given: string[]) => {
      const config = await cliConfig()
      const [{ loadPolicy, PolicyError }, { readSuite, runSuite }] = await Promise.all([
        import('../policy/load.js'),
        import('../policy/suite.js'),
      ])
      const names = given.length
        ? given
        : (await readdir(config.POLICIES_DIR))
            .filter((f) => f.endsWith('.yaml'))
            .map((f) => f.slice(0, -5))
      let ok = true
      for (const name of names) {
        try {
          const policy = await loadPolicy(name, {
            dir: config.POLICIES_DIR,
            secret: 'policy-check-secret-0123456789',
          })
          const results = runSuite(
            policy,
            await readSuite(join(config.POLICIES_DIR, 'tests', `${name}_test.yaml`)),
          )
          const failed = results.filter((r) => r.failures.length)
          out(`${name}: loads; ${results.length - failed.length}/${results.length} test cases pass`)
          for (const f of failed) out(`  FAIL ${f.name}: ${f.failures.join('; ')}`)
          ok &&= failed.length === 0
        } catch (err) {
          ok = false
          out(err instanceof PolicyError ? err.message : `${name}: ${(err as Error).message}`)
        }
      }
      if (!ok) throw new CliError('a policy does not load or fails its tests')
    })
}
