import express, { type Express, type Request, type Response } from 'express'
import { z } from 'zod'
import type { RegistryOperator } from '../auth/operator-tokens.js'
import { AppError, asAppError } from '../errors.js'
import {
  changeKey,
  deleteObject,
  putObject,
  type ChangeClass,
  type ChangeOutcome,
} from '../ingest/changes.js'
import { DepositContact, DepositDomain, DepositHost, DepositRegistrar } from '../ingest/objects.js'
import type { Logger } from '../log.js'
import type { Db } from '../storage/db.js'

export type VerifyOperator = (authorization: string | undefined) => Promise<RegistryOperator>

const CLASSES: Record<string, { kind: ChangeClass; schema: z.ZodType }> = {
  domains: { kind: 'domain', schema: DepositDomain },
  hosts: { kind: 'host', schema: DepositHost },
  contacts: { kind: 'contact', schema: DepositContact },
  registrars: { kind: 'registrar', schema: DepositRegistrar },
}

const Deletion = z.strictObject({ upDate: z.iso.datetime({ offset: true }) })

const STATUS = { created: 201, updated: 200, unchanged: 200, deleted: 200 } as const

/**
 * The ingest API: PUT and DELETE /ingest/<class>/<key>, JSON in the deposit's own field names,
 * for a token of the registry-operator audience. Every change is logged without personal values.
 */
export function addIngestRoutes(
  app: Express,
  deps: { primary: Db; verifyOperator: VerifyOperator; log: Logger },
): void {
  const body = express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] })
  const answer = (res: Response, status: number, value: unknown) =>
    res.status(status).type('application/json').send(JSON.stringify(value))

  const handle =
    (
      write: (
        kind: ChangeClass,
        key: string,
        req: Request,
        who: RegistryOperator,
      ) => Promise<ChangeOutcome>,
    ) =>
    async (req: Request, res: Response) => {
      res.setHeader('Cache-Control', 'no-store')
      let who: RegistryOperator
      try {
        who = await deps.verifyOperator(req.headers.authorization)
      } catch (err) {
        const e = asAppError(err)
        if (e?.code === 'UNAUTHORIZED')
          res.setHeader('WWW-Authenticate', 'Bearer realm="ingest", error="invalid_token"')
        return answer(res, e?.code === 'FORBIDDEN' ? 403 : e?.code === 'UNAVAILABLE' ? 503 : 401, {
          error: (err as Error).message,
        })
      }
      const target = CLASSES[String(req.params.class)]
      if (!target)
        return answer(res, 404, {
          error: 'No such class; use domains, hosts, contacts or registrars.',
        })
      let key: string
      try {
        key = changeKey(target.kind, String(req.params.key))
      } catch (err) {
        return answer(res, 400, { error: (err as Error).message })
      }
      let outcome: ChangeOutcome
      try {
        outcome = await write(target.kind, key, req, who)
      } catch (err) {
        if (err instanceof BadBody) return answer(res, 400, { error: err.message })
        const e = asAppError(err)
        deps.log.error({ err, ingest: { class: target.kind, key } }, 'ingest change failed')
        return answer(res, e?.code === 'UNAVAILABLE' ? 503 : 500, {
          error: e?.code === 'UNAVAILABLE' ? e.message : 'The change could not be made.',
        })
      }
      // who, what, when: never the personal values of the body
      deps.log.info(
        {
          ingest: {
            action: req.method,
            class: target.kind,
            key,
            issuer: who.issuer,
            subject: who.subject,
            ...outcome,
          },
        },
        'registry change',
      )
      switch (outcome.outcome) {
        case 'stale':
          return answer(res, 409, {
            error: 'A newer version of this object is stored; the change is ignored.',
            stored: outcome.stored,
          })
        case 'not-found':
          return answer(res, 404, { error: `No such ${target.kind}.` })
        case 'conflict':
          return answer(res, 409, { error: `The change is refused: ${outcome.problem}.` })
        case 'refused':
          return answer(res, req.method === 'DELETE' ? 409 : 422, {
            error: `The change is refused: ${outcome.problem}.`,
          })
        default:
          return answer(res, STATUS[outcome.outcome], { [outcome.outcome]: key, at: outcome.at })
      }
    }

  app.put(
    '/ingest/:class/:key',
    body,
    handle(async (kind, key, req, who) => {
      const parsed = CLASSES[`${kind}s`]!.schema.safeParse(req.body)
      if (!parsed.success) throw new BadBody(z.prettifyError(parsed.error).replace(/\n\s*/g, ' '))
      try {
        return await putObject(deps.primary, kind, key, parsed.data as Record<string, unknown>, who)
      } catch (err) {
        if (err instanceof AppError || asAppError(err)) throw err
        // a name or address the row conversion refused
        if (err instanceof Error && !('code' in err)) throw new BadBody(err.message)
        throw err
      }
    }),
  )
  app.delete(
    '/ingest/:class/:key',
    body,
    handle(async (kind, key, req, who) => {
      const parsed = Deletion.safeParse(req.body ?? {})
      if (!parsed.success)
        throw new BadBody('A delete carries the time of the deletion: {"upDate": "<ISO time>"}.')
      return deleteObject(deps.primary, kind, key, new Date(parsed.data.upDate), who)
    }),
  )
  app.all('/ingest/{*rest}', (_req, res) => {
    res.setHeader('Allow', 'PUT, DELETE')
    answer(res, 405, { error: 'Use PUT or DELETE on /ingest/<class>/<key>.' })
  })
}

class BadBody extends Error {}
