import { Command, CommanderError } from 'commander'
import { addAccreditationCommand } from './accreditation.js'
import { addAuditCommand } from './audit.js'
import { addContactCommand } from './contact.js'
import { UsageError } from './errors.js'
import { addExportCommand } from './export.js'
import { addImportCommand } from './import.js'
import { addMigrateCommand } from './migrate.js'
import { addPolicyCheckCommand } from './policy-check.js'
import { addPreviewCommand } from './preview.js'
import { addSeedCommand } from './seed.js'
import { addServeCommand } from './serve.js'
import { addTokenCommand } from './token.js'

/**
 * `rdds`: each command in its own file, loading what it needs only when it runs, so that the
 * commands that need no database start at once. Exit codes: 0 done, 1 failed (one line on stderr),
 * 2 used wrongly (the usage on stderr).
 */
function program(): Command {
  const rdds = new Command('rdds')
    .description(
      'tiered-rdds command line. The database, policy and data folder come from the environment, as for the server (README: Configuration).',
    )
    .showHelpAfterError()
    .exitOverride()
  for (const add of [
    addServeCommand,
    addMigrateCommand,
    addSeedCommand,
    addImportCommand,
    addExportCommand,
    addPreviewCommand,
    addPolicyCheckCommand,
    addTokenCommand,
    addAccreditationCommand,
    addAuditCommand,
    addContactCommand,
  ])
    add(rdds)
  rdds.commands.forEach(function inherit(c: Command) {
    c.showHelpAfterError().exitOverride()
    c.commands.forEach(inherit)
  })
  return rdds
}

/** the (sub)command that argv names, for its usage */
function commandOf(cmd: Command, argv: readonly string[]): Command {
  const [word, ...rest] = argv
  const sub = cmd.commands.find((c) => c.name() === word)
  return sub ? commandOf(sub, rest) : cmd
}

async function main(argv: string[]): Promise<number> {
  const rdds = program()
  try {
    await rdds.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    // commander has printed its own message and the usage
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    if (err instanceof UsageError) {
      process.stderr.write(`rdds: ${err.message}\n\n${commandOf(rdds, argv).helpInformation()}`)
      return 2
    }
    const message = (err as Error)?.message ?? String(err)
    process.stderr.write(`rdds: ${message.split('\n')[0]}\n`)
    if (process.env.RDDS_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
