import type { AuditLog, DisclosureEvent } from './audit/disclosures.js'
import type { Audience, Viewer } from './domain/audience.js'
import { unicodeNameOf, type NormalizedName } from './domain/names.js'
import type { Domain, RegistryObject } from './domain/registration.js'
import { AppError } from './errors.js'
import type { Logger } from './log.js'
import type { Metrics } from './metrics.js'
import type { AnswerCache } from './answer-cache.js'
import type { Disclosure } from './policy/disclosure.js'
import { disclose, personalBeyondPublic } from './policy/engine.js'
import type { Policy } from './policy/load.js'
import type { Queryable } from './storage/db.js'
import {
  findContactByRoid,
  findDomainByName,
  findHostByName,
  findRegistrarByHandle,
  findRegistrarByIanaId,
  findRegistrarsByName,
  findServedTlds,
} from './storage/registrations.js'

export interface LookupDeps {
  readonly reader: Queryable
  readonly policy: Policy
  readonly audit: AuditLog
  readonly log: Logger
  /** counts disclosures and audit appends; none: nothing counted */
  readonly metrics?: Metrics
  /** public answers to domain lookups, kept a second at most; none: every lookup reads */
  readonly cache?: AnswerCache
}

/** the request a lookup answers: who asks, and its id for the audit row */
export interface LookupContext {
  /** a promise while the token is still being checked: the object is read meanwhile */
  readonly viewer: Viewer | Promise<Viewer>
  readonly requestId: string
  readonly now: Date
}

/** a lookup's context once the viewer is known */
export interface Decided extends LookupContext {
  readonly viewer: Viewer
}

/**
 * The audience a viewer gets for an object sponsored by `sponsorIanaId`: a registrar is 'registrar'
 * only for its own objects, an accredited requester gets its declared purpose, and anyone may ask
 * for the public view. Never more than the viewer holds.
 */
export function effectiveAudience(viewer: Viewer, sponsorIanaId: number): Audience {
  if (viewer.requestedView === 'public') return 'public'
  switch (viewer.kind) {
    case 'registrar':
      return viewer.registrarId === sponsorIanaId ? 'registrar' : 'public'
    case 'accredited':
      return viewer.purpose ? `accredited:${viewer.purpose}` : 'public'
    default:
      return 'public'
  }
}

export async function lookupDomain(
  deps: LookupDeps,
  name: NormalizedName,
  ctx: LookupContext,
): Promise<Disclosure> {
  const cache = deps.cache
  if (!cache) return readAndDecideDomain(deps, name, ctx)
  const kept = cache.get(name.ldhName)
  if (kept?.record.kind === 'domain') {
    // the public answer serves whoever would get the public view of this domain, no one else
    const viewer = await ctx.viewer
    if (effectiveAudience(viewer, kept.record.domain.registrar.ianaId) === 'public') return kept
    return readAndDecideDomain(deps, name, { ...ctx, viewer })
  }
  const seen = cache.generation()
  const disclosure = await readAndDecideDomain(deps, name, ctx)
  cache.set(name.ldhName, seen, disclosure) // public answers only
  return disclosure
}

async function readAndDecideDomain(
  deps: LookupDeps,
  name: NormalizedName,
  ctx: LookupContext,
): Promise<Disclosure> {
  const [viewer, domain] = await findDomainAs(deps, name, ctx)
  return decide(deps, { kind: 'domain', domain }, domain.registrar.ianaId, domain.ldhName, {
    ...ctx,
    viewer,
  })
}

export async function lookupNameserver(
  deps: LookupDeps,
  name: NormalizedName,
  ctx: LookupContext,
): Promise<Disclosure> {
  const [viewer, host] = await readAs(ctx, findHostByName(deps.reader, name.ldhName))
  if (!host) throw new AppError('NOT_FOUND', 'The name server was not found.')
  return decide(deps, { kind: 'host', host }, host.registrar.ianaId, host.ldhName, {
    ...ctx,
    viewer,
  })
}

/** the viewer and the domain, read at once; a domain not found is NOT_FOUND, saying why */
export async function findDomainAs(
  deps: Pick<LookupDeps, 'reader'>,
  name: NormalizedName,
  ctx: LookupContext,
): Promise<[Viewer, Domain]> {
  const [viewer, domain] = await readAs(ctx, findDomainByName(deps.reader, name.ldhName))
  if (domain) return [viewer, domain]
  // only a miss pays for the TLD list: which of two answers it is
  const tld = name.ldhName.slice(name.ldhName.lastIndexOf('.') + 1)
  const served = await servedTlds(deps)
  if (!served.some((t) => t.ldhName === tld)) throw new TldNotServedError(tld, served)
  throw new AppError('NOT_FOUND', 'The domain name was not found.')
}

/** the TLDs this registry serves, A-label and U-label */
export async function servedTlds(deps: Pick<LookupDeps, 'reader'>): Promise<NormalizedName[]> {
  const tlds = await findServedTlds(deps.reader)
  return tlds.map((ldhName) => ({ ldhName, unicodeName: unicodeNameOf(ldhName) }))
}

/** a TLD as people read it: the U-label beside its A-label */
export const describeTld = (t: NormalizedName): string =>
  t.unicodeName ? `.${t.unicodeName} (.${t.ldhName})` : `.${t.ldhName}`

/** a query for a name under a TLD this registry does not serve (standards §2: 404, not a redirect) */
export class TldNotServedError extends AppError {
  constructor(
    readonly tld: string,
    readonly served: readonly NormalizedName[],
  ) {
    const tldName = { ldhName: tld, unicodeName: unicodeNameOf(tld) }
    super(
      'NOT_FOUND',
      `This registry does not serve the TLD ${describeTld(tldName)}; it serves ${served.map(describeTld).join(', ') || 'no TLD yet'}.`,
    )
  }
}

/** an entity by handle: a registrar by IANA id or handle, else a contact by ROID */
export async function lookupEntity(
  deps: LookupDeps,
  handle: string,
  ctx: LookupContext,
): Promise<Disclosure> {
  const [viewer, registrar] = await readAs(
    ctx,
    /^\d{1,9}$/.test(handle)
      ? findRegistrarByIanaId(deps.reader, Number(handle))
      : findRegistrarByHandle(deps.reader, handle),
  )
  const decided = { ...ctx, viewer }
  if (registrar)
    return decide(
      deps,
      { kind: 'registrar', registrar },
      registrar.ianaId,
      registrar.handle,
      decided,
    )
  return lookupContact(deps, handle, decided)
}

/** a contact alone, by ROID */
export async function lookupContact(
  deps: LookupDeps,
  roid: string,
  ctx: LookupContext,
): Promise<Disclosure> {
  const [viewer, contact] = await readAs(ctx, findContactByRoid(deps.reader, roid.toUpperCase()))
  if (!contact) throw new AppError('NOT_FOUND', 'The entity was not found.')
  return decide(deps, { kind: 'contact', contact }, contact.registrarIanaId, contact.roid, {
    ...ctx,
    viewer,
  })
}

/** a registrar by IANA id */
export async function lookupRegistrar(
  deps: LookupDeps,
  ianaId: number,
  ctx: LookupContext,
): Promise<Disclosure> {
  const [viewer, registrar] = await readAs(ctx, findRegistrarByIanaId(deps.reader, ianaId))
  if (!registrar) throw new AppError('NOT_FOUND', 'The entity was not found.')
  return decide(deps, { kind: 'registrar', registrar }, registrar.ianaId, registrar.handle, {
    ...ctx,
    viewer,
  })
}

/** registrars by IANA id, exact name, or name prefix (WHOIS `registrar <text>`) */
export async function lookupRegistrars(
  deps: LookupDeps,
  text: string,
  ctx: LookupContext,
): Promise<Disclosure[]> {
  const [viewer, found] = await readAs(
    ctx,
    /^\d{1,9}$/.test(text)
      ? findRegistrarByIanaId(deps.reader, Number(text)).then((r) => (r ? [r] : []))
      : findRegistrarsByName(deps.reader, text),
  )
  return Promise.all(
    found.map((registrar) =>
      decide(deps, { kind: 'registrar', registrar }, registrar.ianaId, registrar.handle, {
        ...ctx,
        viewer,
      }),
    ),
  )
}

/**
 * The viewer and the object, read at once: the token and accreditation checks overlap the read.
 * A rejected token wins over whatever the read found; nothing is decided before both are known.
 * A read that fails is a DatabaseError, which the protocols answer as unavailable (503).
 */
async function readAs<T>(ctx: LookupContext, read: Promise<T>): Promise<[Viewer, T]> {
  read.catch(() => undefined) // a rejected token, awaited first, must not leave this unhandled
  return [await ctx.viewer, await read]
}

/**
 * Runs the policy for the audience `ctx.viewer` gets of `object`; records an audit row before
 * disclosing anything personal beyond the public view (none written: UNAVAILABLE, nothing shown).
 */
export async function decide(
  deps: LookupDeps,
  object: RegistryObject,
  sponsorIanaId: number,
  handle: string,
  ctx: Decided,
): Promise<Disclosure> {
  const audience = effectiveAudience(ctx.viewer, sponsorIanaId)
  const disclosure = disclose(deps.policy, object, audience)
  if (disclosure.problems.length) {
    deps.log.error(
      { requestId: ctx.requestId, problems: disclosure.problems },
      'policy rules failed; fields withheld',
    )
  }
  if (disclosure.audience === 'public') return disclosure
  const beyondPublic = personalBeyondPublic(deps.policy, object, disclosure)
  if (beyondPublic.length === 0) return disclosure
  await recordDisclosure(deps, ctx, {
    audience: disclosure.audience,
    objectClass: object.kind,
    objectHandle: handle,
    fields: beyondPublic,
  })
  return disclosure
}

/**
 * Appends an audit row for what `ctx.viewer` is about to be shown: a lookup's object, or a search.
 * If it cannot be written nothing is disclosed: the request answers 503.
 */
export async function recordDisclosure(
  deps: Pick<LookupDeps, 'audit' | 'policy' | 'log' | 'metrics'>,
  ctx: Decided,
  what: Pick<
    DisclosureEvent,
    'audience' | 'objectClass' | 'objectHandle' | 'fields' | 'resultCount'
  >,
): Promise<void> {
  const started = performance.now()
  try {
    await deps.audit.append({
      at: ctx.now,
      requestId: ctx.requestId,
      issuer: ctx.viewer.issuer ?? null,
      subject: ctx.viewer.subject ?? null,
      accreditationId: ctx.viewer.accreditationId ?? null,
      purpose: ctx.viewer.purpose ?? null,
      policyName: deps.policy.name,
      policyVersion: deps.policy.version,
      ...what,
    })
    deps.metrics?.auditAppend((performance.now() - started) / 1000, true)
    deps.metrics?.disclosure(what.audience)
  } catch (err) {
    deps.metrics?.auditAppend((performance.now() - started) / 1000, false)
    deps.log.error({ requestId: ctx.requestId, err }, 'audit row not written; nothing disclosed')
    throw new AppError('UNAVAILABLE', 'The disclosure could not be recorded; try again later.', {
      cause: err,
    })
  }
}
