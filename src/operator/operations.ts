import { hostname, userInfo } from 'node:os'
import { z } from 'zod'
import {
  checkpointSigner,
  readCheckpoints,
  saveCheckpoint,
  takeCheckpoint,
} from '../audit/checkpoints.js'
import { listDisclosures, verifyChain } from '../audit/read.js'
import {
  accreditationHistory,
  addAccreditation,
  listAccreditations,
  setAccreditationStatus,
} from '../auth/accreditations.js'
import { checkpointsFile, type Config } from '../config.js'
import { AUDIENCES, PURPOSES, type Audience } from '../domain/audience.js'
import { isNameProblem, normalizeDomainName } from '../domain/names.js'
import { anonymizeSecret } from '../local-data.js'
import type { Logger } from '../log.js'
import { disclose } from '../policy/engine.js'
import { explainDisclosure } from '../policy/explain.js'
import { loadPolicy } from '../policy/load.js'
import type { Databases } from '../storage/db.js'
import { migrate } from '../storage/migrate.js'
import { listMessages } from '../storage/contact.js'
import { findDomainByName } from '../storage/registrations.js'

/**
 * What the command line does to the data, written once: run by the CLI on a database it opened, or
 * by the server that owns the embedded database, on the CLI's behalf (operator socket). Arguments
 * arrive as JSON and are checked here; results are plain JSON.
 */
export interface OperatorContext {
  readonly dbs: Databases
  readonly config: Config
  readonly log: Logger
  /** progress of a long operation, where someone watches it */
  readonly progress?: (done: number, total: number) => void
}

/** an operation that ran and found its object missing or its request impossible: exit 1, one line */
export class OperationError extends Error {
  override readonly name = 'OperationError'
}

const Who = z.object({ operator: z.string().min(1).max(200), host: z.string().min(1).max(255) })

const operation = <A extends z.ZodType, R>(
  args: A,
  run: (ctx: OperatorContext, args: z.infer<A>) => Promise<R>,
) => ({ args, run })

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

export const OPERATIONS = {
  migrate: operation(z.object({}), async ({ dbs, log }) => ({
    applied: await migrate(dbs.primary, log),
  })),

  seed: operation(z.object({ domains: z.number().int().min(0) }), async (ctx, { domains }) => {
    const started = Date.now()
    const { seedSynthetic } = await import('../demo/synthetic.js')
    await seedSynthetic(ctx.dbs.primary, domains, ctx.progress)
    return { domains, seconds: (Date.now() - started) / 1000 }
  }),

  preview: operation(
    z.object({
      name: z.string(),
      audience: z.enum(AUDIENCES as [Audience, ...Audience[]]).optional(),
      policy: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]*$/)
        .optional(),
    }),
    async ({ dbs, config }, args) => {
      const name = normalizeDomainName(args.name)
      if (isNameProblem(name)) throw new OperationError(`not a domain name: ${name.problem}`)
      const policy = await loadPolicy(args.policy ?? config.POLICY, {
        dir: config.POLICIES_DIR,
        secret: await anonymizeSecret(config),
      })
      const domain = await findDomainByName(dbs.reader, name.ldhName)
      if (!domain) throw new OperationError(`${name.ldhName} is not in the registry`)
      const audiences = args.audience ? [args.audience] : [...policy.audiences]
      return {
        domain: domain.ldhName,
        policy: { name: policy.name, version: policy.version },
        // the decisions the registrar workbench shows, with the rule that made each
        audiences: audiences.map((audience) => {
          const d = disclose(policy, { kind: 'domain', domain }, audience)
          const decisions = explainDisclosure(policy, domain, d)
          return {
            audience,
            shown: d.shown,
            withheld: decisions.filter((f) => !f.shown).map(({ shown: _, ...f }) => f),
          }
        }),
      }
    },
  ),

  'accreditation.list': operation(z.object({}), async ({ dbs }) =>
    (await listAccreditations(dbs.primary)).map((a) => ({
      ...a,
      validFrom: iso(a.validFrom),
      validUntil: iso(a.validUntil),
    })),
  ),

  'accreditation.add': operation(
    Who.extend({
      id: z.string().min(1).max(128),
      holder: z.string().min(1).max(500),
      issuer: z.string().min(1),
      purposes: z.array(z.enum(PURPOSES)).min(1),
      validUntil: z.iso.datetime().nullable().default(null),
    }),
    async ({ dbs }, a) => {
      const added = await addAccreditation(
        dbs.primary,
        { ...a, validUntil: a.validUntil ? new Date(a.validUntil) : null },
        { operator: a.operator, host: a.host },
      )
      if (!added) throw new OperationError(`accreditation ${a.id} exists already`)
      return { id: a.id, status: 'active' }
    },
  ),

  'accreditation.status': operation(
    Who.extend({
      id: z.string().min(1),
      action: z.enum(['suspend', 'revoke', 'activate']),
    }),
    async ({ dbs }, a) => {
      const status = await setAccreditationStatus(dbs.primary, a.id, a.action, a)
      if (!status) throw new OperationError(`no accreditation ${a.id}`)
      return { id: a.id, status }
    },
  ),

  'accreditation.history': operation(z.object({ id: z.string().min(1) }), async ({ dbs }, a) => {
    const changes = await accreditationHistory(dbs.primary, a.id)
    if (!changes.length) throw new OperationError(`no accreditation ${a.id} has ever existed`)
    return changes.map((c) => ({ ...c, at: iso(c.at) }))
  }),

  'audit.list': operation(
    z.object({
      subject: z.string().optional(),
      object: z.string().optional(),
      since: z.iso.datetime().optional(),
      limit: z.number().int().min(1).max(1_000_000),
      newestFirst: z.boolean(),
    }),
    async ({ dbs }, a) =>
      (
        await listDisclosures(dbs.primary, {
          ...(a.subject ? { subject: a.subject } : {}),
          ...(a.object ? { object: a.object } : {}),
          ...(a.since ? { since: new Date(a.since) } : {}),
          limit: a.limit,
          newestFirst: a.newestFirst,
        })
      ).map((r) => ({ ...r, at: iso(r.at) })),
  ),

  'audit.verify': operation(
    z.object({ checkpoints: z.string().min(1).optional() }),
    async ({ dbs, config }, a) => {
      const signer = await checkpointSigner(config)
      const file = a.checkpoints ?? checkpointsFile(config)
      const read = await readCheckpoints(file, signer.publicKey).catch((err: unknown) => {
        // the default file may not exist yet; a file named on the command line must
        if (a.checkpoints || (err as NodeJS.ErrnoException).code !== 'ENOENT')
          throw new OperationError(`cannot read checkpoints ${file}: ${(err as Error).message}`)
        return undefined
      })
      const result = await verifyChain(dbs.primary, { checkpoints: read?.checkpoints ?? [] })
      return {
        rows: result.rows,
        checkpoints: read?.checkpoints.length ?? 0,
        checkpointsFile: file,
        problems: [...(read?.problems ?? []), ...result.problems],
      }
    },
  ),

  'contact.list': operation(
    z.object({ limit: z.number().int().min(1).max(1_000_000) }),
    async ({ dbs }, { limit }) =>
      (await listMessages(dbs.primary, limit)).map((m) => ({
        ...m,
        receivedAt: m.receivedAt.toISOString(),
        finishedAt: iso(m.finishedAt),
      })),
  ),

  'audit.checkpoint': operation(z.object({}), async ({ dbs, config, log }) => {
    const checkpoint = await takeCheckpoint(dbs.primary, await checkpointSigner(config))
    await saveCheckpoint(checkpointsFile(config), checkpoint)
    log.info({ auditCheckpoint: checkpoint }, 'audit checkpoint')
    return { ...checkpoint, file: checkpointsFile(config) }
  }),
}

export type OperationName = keyof typeof OPERATIONS
export type OperationArgs<N extends OperationName> = z.input<(typeof OPERATIONS)[N]['args']>
export type OperationResult<N extends OperationName> = Awaited<
  ReturnType<(typeof OPERATIONS)[N]['run']>
>

/** checks the arguments and runs the operation; a result is plain JSON */
export async function runOperation(
  ctx: OperatorContext,
  name: string,
  args: unknown,
): Promise<unknown> {
  const op = (OPERATIONS as Record<string, ReturnType<typeof operation>>)[name]
  if (!op) throw new OperationError(`unknown operation ${name}`)
  const parsed = op.args.safeParse(args)
  if (!parsed.success) throw new OperationError(`${name}: ${z.prettifyError(parsed.error)}`)
  return op.run(ctx, parsed.data)
}

/** who is acting, for the accreditation history: RDDS_OPERATOR, else the login name */
export function currentOperator(env: NodeJS.ProcessEnv = process.env): z.infer<typeof Who> {
  return { operator: env.RDDS_OPERATOR || env.SUDO_USER || loginName(env), host: hostname() }
}

function loginName(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username
  } catch {
    return env.USER || env.LOGNAME || 'unknown' // a uid with no passwd entry (some containers)
  }
}
