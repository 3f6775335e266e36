import { isNameProblem, normalizeDomainName } from './domain/names.js'
import { AppError } from './errors.js'
import {
  lookupDomain,
  lookupNameserver,
  lookupRegistrar,
  lookupRegistrars,
  TldNotServedError,
  type LookupContext,
  type LookupDeps,
} from './lookup.js'
import type { Disclosure } from './policy/disclosure.js'

/** what one search box found: a domain, a name server, or registrars */
export type Found =
  | { readonly kind: 'domain' | 'nameserver'; readonly disclosure: Disclosure }
  | { readonly kind: 'registrars'; readonly disclosures: readonly Disclosure[] }

/**
 * One box for everything the public looks up (the web page): an IANA id is a registrar; a name is a
 * domain, else a name server, else (one label) a registrar's name; other text is a registrar's name.
 * Each is the viewer's lookup of that object. Nothing found: NOT_FOUND with the domain's reason.
 */
export async function lookupAny(
  deps: LookupDeps,
  text: string,
  ctx: LookupContext,
): Promise<Found> {
  const query = text.trim()
  if (query === '')
    throw new AppError('BAD_REQUEST', 'Type a domain name, a name server or a registrar.')
  if (/^\d{1,9}$/.test(query))
    return { kind: 'registrars', disclosures: [await lookupRegistrar(deps, Number(query), ctx)] }
  const name = normalizeDomainName(query)
  if (isNameProblem(name)) {
    const registrars = await lookupRegistrars(deps, query, ctx)
    if (registrars.length) return { kind: 'registrars', disclosures: registrars }
    // text with spaces reads as a registrar's name; without, as a name mistyped
    if (/\s/.test(query))
      throw new AppError('NOT_FOUND', `No registrar is named "${query.slice(0, 80)}".`)
    throw new AppError(
      'BAD_REQUEST',
      `"${query.slice(0, 80)}" is not a domain name: ${name.problem}.`,
    )
  }
  let missing: AppError
  try {
    return { kind: 'domain', disclosure: await lookupDomain(deps, name, ctx) }
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'NOT_FOUND') throw err
    missing = err
  }
  try {
    return { kind: 'nameserver', disclosure: await lookupNameserver(deps, name, ctx) }
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'NOT_FOUND') throw err
  }
  if (!name.ldhName.includes('.')) {
    const registrars = await lookupRegistrars(deps, query, ctx)
    if (registrars.length) return { kind: 'registrars', disclosures: registrars }
  }
  if (missing instanceof TldNotServedError) throw missing
  throw new AppError(
    'NOT_FOUND',
    `No domain, name server or registrar named ${name.unicodeName ?? name.ldhName} was found.`,
  )
}
