import type { Command } from 'commander'
import { out, wholeNumber, withOperator } from './run.js'

/** rdds contact list: the record of the contact relay */
export function addContactCommand(program: Command): void {
  const cmd = program.command('contact').description('the contact relay for anonymized addresses')
  cmd
    .command('list')
    .description(
      'messages relayed, notices and confirmations, newest first: time, domain, role, sender, message id, size, outcome (never a body or a recipient address)',
    )
    .option('--limit <n>', 'at most this many', wholeNumber(1, 1_000_000), 100)
    .option('--json', 'as JSON')
    .action(async (o: { limit: number; json?: boolean }) => {
      const rows = await withOperator('contact list', (op) =>
        op.run('contact.list', { limit: o.limit }),
      )
      if (o.json) return out(JSON.stringify(rows, null, 2))
      for (const r of rows)
        out(
          [
            r.receivedAt,
            r.kind,
            r.via,
            `${r.role} of ${r.ldhName}`,
            r.sender,
            r.messageId,
            `${r.size} bytes`,
            r.state,
            `${r.attempts} attempts`,
            r.lastError ?? '',
          ].join('\t'),
        )
    })
}
