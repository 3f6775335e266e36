import { resolve } from 'node:path'
import type { Command } from 'commander'
import { CliError } from './errors.js'
import { isoDate, out, wholeNumber, withOperator } from './run.js'

/** rdds audit list | verify | checkpoint */
export function addAuditCommand(program: Command): void {
  const cmd = program.command('audit').description('the log of non-public disclosures')

  cmd
    .command('list')
    .description('who saw which personal fields of what (never the values), newest first')
    .option('--subject <sub>', 'only this requester (token subject)')
    .option('--object <handle>', 'only this domain or handle')
    .option('--since <date>', 'only from this time on (ISO date)', isoDate)
    .option('--limit <n>', 'at most this many rows', wholeNumber(1, 1_000_000), 1000)
    .option('--oldest', 'oldest first')
    .option('--json', 'as JSON')
    .action(
      async (o: {
        subject?: string
        object?: string
        since?: string
        limit: number
        oldest?: boolean
        json?: boolean
      }) => {
        const rows = await withOperator('audit list', (op) =>
          op.run('audit.list', {
            ...(o.subject ? { subject: o.subject } : {}),
            ...(o.object ? { object: o.object } : {}),
            ...(o.since ? { since: o.since } : {}),
            limit: o.limit,
            newestFirst: !o.oldest,
          }),
        )
        if (rows.length === o.limit)
          process.stderr.write(
            `showing the ${o.oldest ? 'oldest' : 'newest'} ${o.limit} rows; there may be more: narrow with --since or raise --limit\n`,
          )
        if (o.json) return out(JSON.stringify(rows, null, 2))
        for (const r of rows)
          out(
            [
              r.at,
              r.subject ?? '-',
              r.audience,
              `${r.objectClass} ${r.objectHandle}`,
              r.resultCount === null || r.resultCount === undefined
                ? r.fields.join(',')
                : `${r.fields.join(',')} (${r.resultCount} found)`,
              `${r.policyName} v${r.policyVersion}`,
              r.requestId,
            ].join('\t'),
          )
      },
    )

  cmd
    .command('verify')
    .description('check the hash chain, the run of ids, and the signed checkpoints of its head')
    .option('--checkpoints <file>', "checkpoints kept elsewhere (default: the server's file)")
    .option('--json', 'as JSON')
    .action(async (o: { checkpoints?: string; json?: boolean }) => {
      const result = await withOperator('audit verify', (op) =>
        op.run('audit.verify', o.checkpoints ? { checkpoints: resolve(o.checkpoints) } : {}),
      )
      if (o.json) out(JSON.stringify(result, null, 2))
      else {
        for (const p of result.problems) out(`TAMPERED ${p}`)
        if (!result.checkpoints)
          out(
            `no checkpoints in ${result.checkpointsFile}: rows removed from the end cannot be seen`,
          )
        out(
          result.problems.length
            ? `audit log NOT intact: ${result.problems.length} problem(s) in ${result.rows} rows`
            : `audit chain intact: ${result.rows} rows, ${result.checkpoints} checkpoint(s) agree`,
        )
      }
      if (result.problems.length) throw new CliError('the audit log has been tampered with')
    })

  cmd
    .command('checkpoint')
    .description("sign the log's head now and append it to the checkpoints file")
    .action(async () => {
      const c = await withOperator('audit checkpoint', (op) => op.run('audit.checkpoint', {}))
      out(
        `checkpoint: ${c.rows} rows up to row ${c.lastId}, head ${c.head.slice(0, 16)}…, at ${c.at}, in ${c.file}`,
      )
    })
}
