import type { Request, Response } from 'express'
import type { Viewer } from '../domain/audience.js'
import { AppError } from '../errors.js'
import type { LookupContext } from '../lookup.js'

/** who asks, under which request id, now; `?view=public` lowers the viewer to the public */
export function lookupContext(
  req: Request,
  res: Response,
  viewer: Viewer | Promise<Viewer>,
): LookupContext {
  const view = req.query.view
  if (view !== undefined && view !== 'public') {
    throw new AppError(
      'BAD_REQUEST',
      'The view parameter accepts only "public" (a lower view than yours).',
    )
  }
  return {
    viewer: view === 'public' ? asPublic(viewer) : viewer,
    requestId: String(res.locals.requestId),
    now: new Date(),
  }
}

function asPublic(viewer: Viewer | Promise<Viewer>): Viewer | Promise<Viewer> {
  if (!(viewer instanceof Promise)) return { ...viewer, requestedView: 'public' }
  const lowered = viewer.then((v) => ({ ...v, requestedView: 'public' as const }))
  lowered.catch(() => undefined) // handled where it is awaited; a malformed name may fail first
  return lowered
}
