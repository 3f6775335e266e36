import { z } from 'zod'
import { AUDIENCES } from '../domain/audience.js'
import { CONDITIONS } from './conditions.js'
import { FIELD_PATHS, METHODS } from './fields.js'
import { SEARCH_PROPERTIES } from './searchable.js'

const Audience = z.enum(AUDIENCES as [string, ...string[]])

const Otherwise = z.union(
  [
    z.enum(METHODS),
    z.strictObject({
      method: z.enum(METHODS),
      with: z
        .string()
        .min(1)
        .optional()
        .describe('replacementValue template: {hmac} {ldhName} {role}'),
    }),
  ],
  { error: `must be one of ${METHODS.join(', ')}, or { method, with }` },
)

const Rule = z.strictObject({
  show: z
    .union([z.literal('everyone'), z.array(Audience)], {
      error: 'must be everyone or a list of audiences',
    })
    .describe('who sees the value'),
  alsoWhen: z
    .array(z.enum(CONDITIONS))
    .optional()
    .describe('shown to everyone anyway when one holds'),
  otherwise: Otherwise.optional().describe(
    "what the others get (RFC 9537 method); default: the field's first",
  ),
})

/** the shape of policies/<name>.yaml; unknown keys and unknown field names are errors */
export const PolicyFile = z.strictObject({
  version: z.number().int().positive(),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  description: z.string().optional(),
  audiences: z.array(Audience).min(1),
  scope: z
    .strictObject({
      applies: z.enum(['everywhere', 'countries']),
      countries: z
        .array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'))
        .optional(),
    })
    .optional(),
  fields: z.partialRecord(z.enum(FIELD_PATHS), Rule),
  searches: z
    .partialRecord(
      z.enum(SEARCH_PROPERTIES),
      z.union([z.literal('everyone'), z.array(Audience)], {
        error: 'must be everyone or a list of audiences',
      }),
    )
    .optional()
    .describe('who may search by what; a search matches only values its viewer may see'),
})

export type PolicyFileData = z.infer<typeof PolicyFile>
export type RuleData = z.infer<typeof Rule>
