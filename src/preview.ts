import type { Audience, Viewer } from './domain/audience.js'
import type { NormalizedName } from './domain/names.js'
import { AppError } from './errors.js'
import { decide, findDomainAs, type LookupContext, type LookupDeps } from './lookup.js'
import type { Disclosure } from './policy/disclosure.js'
import { disclose } from './policy/engine.js'
import { explainDisclosure, type FieldDecision } from './policy/explain.js'
import { findDomainNamesOfRegistrar } from './storage/registrations.js'

/** one audience's view of a domain, field by field, with the rule that decided each */
export interface AudienceView {
  readonly audience: Audience
  readonly decisions: readonly FieldDecision[]
}

/**
 * What the registrar workbench shows of one domain. `own` is the viewer's lookup (audited as one);
 * `public` what anyone sees. `others`, only for the sponsoring registrar, say how every other
 * audience's view is decided, without values: the workbench shows a value only where `own` does.
 */
export interface DomainPreview {
  readonly own: Disclosure & { readonly decisions: readonly FieldDecision[] }
  readonly public: Disclosure & { readonly decisions: readonly FieldDecision[] }
  readonly others: readonly AudienceView[]
}

/** the registrar workbench's view of one domain for a registrar viewer (FORBIDDEN otherwise) */
export async function previewDomain(
  deps: LookupDeps,
  name: NormalizedName,
  ctx: LookupContext,
): Promise<DomainPreview> {
  const viewer = registrarOnly(await ctx.viewer)
  const [, domain] = await findDomainAs(deps, name, { ...ctx, viewer })
  const object = { kind: 'domain', domain } as const
  const own = await decide(deps, object, domain.registrar.ianaId, domain.ldhName, {
    ...ctx,
    viewer,
  })
  const pub = own.audience === 'public' ? own : disclose(deps.policy, object, 'public')
  const explained = (d: Disclosure) => ({
    ...d,
    decisions: explainDisclosure(deps.policy, domain, d),
  })
  return {
    own: explained(own),
    public: explained(pub),
    others:
      own.audience === 'registrar'
        ? [...deps.policy.audiences]
            .filter((a) => a !== 'public' && a !== 'registrar')
            .map((audience) => ({
              audience,
              decisions: explainDisclosure(
                deps.policy,
                domain,
                disclose(deps.policy, object, audience),
              ),
            }))
        : [],
  }
}

/** a page of the names of the viewer's own domains, from `prefix` on, after `after` */
export async function ownDomainNames(
  deps: Pick<LookupDeps, 'reader'>,
  ctx: LookupContext,
  page: { readonly prefix?: string; readonly after?: string; readonly limit: number },
): Promise<string[]> {
  const viewer = registrarOnly(await ctx.viewer)
  return findDomainNamesOfRegistrar(deps.reader, viewer.registrarId, page)
}

/** the viewer, if a registrar: TOKEN_REQUIRED without a token, FORBIDDEN with another kind */
function registrarOnly(viewer: Viewer): Viewer & { readonly registrarId: number } {
  if (viewer.kind === 'anonymous')
    throw new AppError('TOKEN_REQUIRED', 'The workbench needs a registrar token.')
  if (viewer.kind !== 'registrar' || viewer.registrarId === undefined)
    throw new AppError('FORBIDDEN', 'The workbench is for registrars; this token is not one.')
  return viewer as Viewer & { readonly registrarId: number }
}
