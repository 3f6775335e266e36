import type { Command } from 'commander'
import { UsageError } from './errors.js'
import { isoDate, out, withOperator } from './run.js'

/** rdds accreditation add | list | suspend | revoke | activate | history */
export function addAccreditationCommand(program: Command): void {
  const cmd = program
    .command('accreditation')
    .description('manage accreditations of requesters (they take effect on the next request)')

  cmd
    .command('add')
    .description('add an active accreditation')
    .requiredOption('--id <id>', 'the id tokens carry as accreditation_id')
    .requiredOption('--holder <name>', 'who holds it')
    .requiredOption('--purposes <list>', 'comma-separated, e.g. law-enforcement,cybersecurity')
    .option('--issuer <iss>', 'the token issuer it belongs to (default: the demo issuer)')
    .option('--until <date>', 'valid until (ISO date)', isoDate)
    .action(
      async (o: {
        id: string
        holder: string
        purposes: string
        issuer?: string
        until?: string
      }) => {
        const { PURPOSES } = await import('../domain/audience.js')
        const purposes = o.purposes.split(',').filter(Boolean)
        const unknown = purposes.filter((p) => !(PURPOSES as readonly string[]).includes(p))
        if (unknown.length || !purposes.length)
          throw new UsageError(
            `unknown purpose(s) ${unknown.join(', ') || '(none given)'}; one of ${PURPOSES.join(', ')}`,
          )
        const { DEMO_ISSUER } = await import('../demo/issuer.js')
        await change('add', async (op, who) =>
          op.run('accreditation.add', {
            ...who,
            id: o.id,
            holder: o.holder,
            purposes: purposes as never,
            issuer: o.issuer ?? DEMO_ISSUER,
            validUntil: o.until ?? null,
          }),
        )
        out(`accreditation ${o.id} added, active`)
      },
    )

  cmd
    .command('list')
    .description('every accreditation and its status')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await withOperator('accreditation list', (op) =>
        op.run('accreditation.list', {}),
      )
      if (o.json) return out(JSON.stringify(list, null, 2))
      for (const a of list)
        out(
          [
            a.id,
            a.status,
            a.purposes.join(','),
            a.issuer,
            a.holder,
            a.validUntil ? `until ${a.validUntil}` : '',
          ]
            .join('\t')
            .trimEnd(),
        )
    })

  for (const action of ['suspend', 'revoke', 'activate'] as const) {
    cmd
      .command(`${action} <id>`)
      .description(`${action} an accreditation`)
      .action(async (id: string) => {
        const result = await change(action, (op, who) =>
          op.run('accreditation.status', { ...who, id, action }),
        )
        out(`accreditation ${id} is ${result.status}`)
      })
  }

  cmd
    .command('history <id>')
    .description('every change to an accreditation: what, when, by whom, from which host')
    .option('--json', 'as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const changes = await withOperator('accreditation history', (op) =>
        op.run('accreditation.history', { id }),
      )
      if (o.json) return out(JSON.stringify(changes, null, 2))
      for (const c of changes) out([c.at, c.action, c.status, c.operator, c.host].join('\t'))
    })
}

/** a change, made in the name of whoever runs the command (RDDS_OPERATOR, else the login) */
async function change<T>(
  what: string,
  fn: (op: import('./database.js').Operator, who: { operator: string; host: string }) => Promise<T>,
): Promise<T> {
  const { currentOperator } = await import('../operator/operations.js')
  return withOperator(`accreditation ${what}`, (op) => fn(op, currentOperator()))
}
