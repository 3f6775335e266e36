import type { Command } from 'commander'
import { out, withOperator } from './run.js'

const VERB = { removal: 'removed', emptyValue: 'emptied', replacementValue: 'replaced' } as const

/** rdds preview: what each audience sees of one domain, field by field */
export function addPreviewCommand(program: Command): void {
  program
    .command('preview <domain>')
    .description('what each audience sees of one domain, field by field')
    .option('--audience <audience>', 'only this audience')
    .option('--policy <name>', 'another policy than the configured one')
    .option('--json', 'as JSON')
    .action(async (name: string, o: { audience?: string; policy?: string; json?: boolean }) => {
      const view = await withOperator('preview', (op) =>
        op.run('preview', {
          name,
          ...(o.audience ? { audience: o.audience as never } : {}),
          ...(o.policy ? { policy: o.policy } : {}),
        }),
      )
      if (o.json) return out(JSON.stringify(view, null, 2))
      const [{ default: Table }, { FIELD_PATHS }] = await Promise.all([
        import('cli-table3'),
        import('../policy/fields.js'),
      ])
      const present = new Set(
        view.audiences.flatMap((a) => [...a.shown, ...a.withheld.map((w) => w.path)]),
      )
      const table = new Table({
        head: ['field', ...view.audiences.map((a) => a.audience.replace('accredited:', ''))],
        style: { head: [], border: [] },
        chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      })
      for (const path of FIELD_PATHS.filter((p) => present.has(p)))
        table.push([
          path,
          ...view.audiences.map((a) => {
            if (a.shown.includes(path)) return 'shown'
            const w = a.withheld.find((x) => x.path === path)
            return w?.method ? VERB[w.method] : '-'
          }),
        ])
      out(
        `${view.domain} under ${view.policy.name} (version ${view.policy.version}): shown, or withheld and how (RFC 9537 method)`,
      )
      out(table.toString())
    })
}
