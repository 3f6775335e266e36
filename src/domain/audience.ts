/** purposes an accredited requester may declare (Calzone accreditation categories) */
export const PURPOSES = [
  'law-enforcement',
  'cybersecurity',
  'ip-protection',
  'consumer-protection',
] as const
export type Purpose = (typeof PURPOSES)[number]

/** what a policy grants to; a registrar looking at another registrar's object is 'public' */
export type Audience = 'public' | 'registrar' | `accredited:${Purpose}`

export const AUDIENCES: readonly Audience[] = [
  'public',
  'registrar',
  ...PURPOSES.map((p) => `accredited:${p}` as const),
]

export function isAudience(value: string): value is Audience {
  return (AUDIENCES as readonly string[]).includes(value)
}

/** who is asking; computed once per request */
export interface Viewer {
  readonly kind: 'anonymous' | 'registrar' | 'accredited'
  readonly subject?: string
  readonly issuer?: string
  readonly registrarId?: number
  readonly purpose?: Purpose
  readonly accreditationId?: string
  /** a lower view asked for explicitly (e.g. ?view=public) */
  readonly requestedView?: 'public'
}

export const ANONYMOUS: Viewer = Object.freeze({ kind: 'anonymous' })
