import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import fc from 'fast-check'
import type { Viewer } from '../../src/domain/audience.js'
import { CONTACT_ROLES, type ContactRole } from '../../src/domain/registration.js'
import { AppError } from '../../src/errors.js'
import { lookupContact, lookupDomain } from '../../src/lookup.js'
import type { Disclosure } from '../../src/policy/disclosure.js'
import { compilePolicy, type Policy } from '../../src/policy/load.js'
import { REVERSE_PROPERTIES, type ReverseProperty } from '../../src/policy/searchable.js'
import { parseCriteria } from '../../src/search/criteria.js'
import { cursorSeal } from '../../src/search/cursor.js'
import { search, type SearchDeps } from '../../src/search/search.js'
import { createLogger } from '../../src/log.js'
import { openTestDb, type TestDb } from '../helpers/db.js'

// Property: for generated registrations, policies and viewers, a search finds exactly the objects
// whose lookup by the same viewer shows a matching value, and each result is that lookup.

let db: TestDb
const policies: Policy[] = []
// the guard that drops a result whose matched value is withheld must never fire: SQL alone is right
const guardLines: string[] = []
const errorLog = createLogger(
  { LOG_LEVEL: 'error' },
  {
    write: (line: string) => void guardLines.push(line),
  },
)

beforeAll(async () => {
  db = await openTestDb({ seed: false })
  const secret = 'property-secret-0123456789'
  for (const name of ['calzone', 'temp-spec', 'rdp-2025', 'thick-whois']) {
    const text = await readFile(`policies/${name}.yaml`, 'utf8')
    policies.push(compilePolicy(text, `${name}.yaml`, secret))
    if (name === 'rdp-2025')
      // EPDP Phase 1 Rec. 17: a legal person's data published: the legalPerson condition in play
      policies.push(
        compilePolicy(
          text.replaceAll(
            'alsoWhen: [contactConsented]',
            'alsoWhen: [contactConsented, legalPerson]',
          ),
          'rdp-2025.yaml',
          secret,
        ),
      )
    if (name === 'calzone')
      // Calzone applied to EEA registrations only: the outsideScope condition in play
      policies.push(
        compilePolicy(
          text.replace(
            'scope: { applies: everywhere }',
            'scope: { applies: countries, countries: [DE, FR] }',
          ),
          'calzone.yaml',
          secret,
        ),
      )
  }
  await db.primary.exec(`
    insert into registrars (iana_id, handle, name, created_at) values
      (1001, '1001', 'First Registrar', now()), (1002, '1002', 'Second Registrar', now());`)
})
afterAll(async () => {
  await db.close()
})

const SYLLABLES = ['ana', 'bor', 'cyra', 'dane'] as const
const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1)

const contactArb = fc.record({
  first: fc.constantFrom(...SYLLABLES),
  last: fc.constantFrom(...SYLLABLES),
  country: fc.constantFrom('DE', 'US', 'TW', null),
  personKind: fc.constantFrom('natural', 'legal'),
  consent: fc.subarray(['name', 'email', 'address', 'phone']),
  sponsor: fc.constantFrom(1001, 1002),
})
const domainArb = fc.record({
  sponsor: fc.constantFrom(1001, 1002),
  registrant: fc.nat(4),
  administrative: fc.option(fc.nat(4), { nil: undefined }),
  technical: fc.option(fc.nat(4), { nil: undefined }),
  billing: fc.option(fc.nat(4), { nil: undefined }),
})
const viewerArb = fc.constantFrom<Viewer>(
  { kind: 'anonymous' },
  { kind: 'registrar', registrarId: 1001, subject: 'r1001' },
  { kind: 'registrar', registrarId: 1002, subject: 'r1002' },
  { kind: 'registrar', registrarId: 1001, subject: 'r1001', requestedView: 'public' },
  { kind: 'accredited', purpose: 'law-enforcement', subject: 'le' },
  { kind: 'accredited', purpose: 'ip-protection', subject: 'ipc' },
)
const searchArb = fc.oneof(
  // patterns taken from one of the contacts, so that most searches have something to find
  fc.record({ kind: fc.constant('entities' as const), contact: fc.nat(4) }),
  fc.record({
    kind: fc.constant('reverse' as const),
    property: fc.constantFrom<ReverseProperty>('fn', 'email', 'handle'),
    contact: fc.nat(4),
    role: fc.option(fc.constantFrom(...CONTACT_ROLES), { nil: undefined }),
  }),
)

const ROLE_COLUMNS: Record<ContactRole, string> = {
  registrant: 'registrant_roid',
  administrative: 'admin_roid',
  technical: 'tech_roid',
  billing: 'billing_roid',
}

type Of<A> = A extends fc.Arbitrary<infer T> ? T : never
type Contact = Of<typeof contactArb> & { roid: string; name: string; email: string }

const matches = (pattern: string, value: string | null) =>
  value !== null && new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`, 'i').test(value)
const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')

test('every search result is the lookup by the same viewer, and every visible match is found', async () => {
  const seen = { found: 0, empty: 0, refused: 0 }
  await fc.assert(
    fc.asyncProperty(
      fc.array(contactArb, { minLength: 5, maxLength: 5 }),
      fc.array(domainArb, { minLength: 4, maxLength: 4 }),
      fc.nat(policies.length - 1),
      viewerArb,
      searchArb,
      async (contactSpecs, domainSpecs, policyIndex, viewer, asked) => {
        const contacts: Contact[] = contactSpecs.map((c, i) => ({
          ...c,
          roid: `C${i}-P`,
          name: `${capital(c.first)} ${capital(c.last)}`,
          email: `${c.last}.${i}@mail.test`,
        }))
        await load(contacts, domainSpecs)
        const policy = policies[policyIndex]!
        const deps: SearchDeps = {
          reader: db.reader,
          policy,
          audit: { append: async () => undefined, failingSince: () => undefined },
          log: errorLog,
          searchDb: db.search,
          cursors: cursorSeal('property-cursor-secret'),
          searchLimits: {
            publicPageSize: 2,
            authenticatedPageSize: 2,
            countCap: 100,
          },
        }
        const ctx = { viewer, requestId: 'property', now: new Date() }
        const seed = contacts[asked.contact]!
        const fnPattern = `${seed.first.slice(0, 2)}*`
        const query =
          asked.kind === 'entities'
            ? { path: 'entities' as const, params: { fn: fnPattern } }
            : {
                path: 'reverse' as const,
                params: {
                  [asked.property]:
                    asked.property === 'handle'
                      ? seed.roid
                      : asked.property === 'fn'
                        ? fnPattern
                        : `${seed.last}*`,
                  ...(asked.role ? { role: asked.role } : {}),
                },
              }
        const criteria = parseCriteria(query.path, query.params as Record<string, string>)

        // every page of the search, or the refusal
        const found: Disclosure[] = []
        let cursor: string | undefined
        let refused: string | undefined
        for (let pages = 0; pages < 10; pages++) {
          try {
            const page = await search(
              deps,
              {
                criteria,
                sort: [],
                count: false,
                query: JSON.stringify(query),
                ...(cursor ? { cursor } : {}),
              },
              ctx,
            )
            found.push(...page.results)
            cursor = page.next
          } catch (err) {
            if (!(err instanceof AppError)) throw err
            if (err.code !== 'NOT_FOUND') refused = err.code
            cursor = undefined
          }
          if (!cursor) break
        }

        // what the viewer's lookups show: the expected results, by brute force
        const expected = new Map<string, Disclosure>()
        if (asked.kind === 'entities') {
          for (const c of contacts) {
            const d = await lookupContact(deps, c.roid, ctx)
            if (d.shown.includes('contact.name') && matches(fnPattern, c.name))
              expected.set(c.roid, d)
          }
        } else {
          const field = REVERSE_PROPERTIES[asked.property]
          const pattern = String(Object.values(query.params)[0])
          for (const [i, spec] of domainSpecs.entries()) {
            const name = { ldhName: `d${i}.test`, unicodeName: null }
            const d = await lookupDomain(deps, name, ctx)
            const hit = (asked.role ? [asked.role] : CONTACT_ROLES).some((role) => {
              const index = spec[role]
              const c = index === undefined ? undefined : contacts[index]
              return (
                c !== undefined &&
                d.shown.includes(`${role}.${field}`) &&
                matches(pattern, c[field === 'roid' ? 'roid' : field])
              )
            })
            if (hit) expected.set(name.ldhName, d)
          }
        }

        if (refused) {
          // refused searches are refused whatever the data: nothing was matched for the viewer
          expect(['TOKEN_REQUIRED', 'FORBIDDEN']).toContain(refused)
          expect(asked.kind).toBe('reverse')
          seen.refused++
          return
        }
        seen[found.length ? 'found' : 'empty']++
        const keyOf = (d: Disclosure) =>
          d.record.kind === 'domain'
            ? d.record.domain.ldhName
            : d.record.kind === 'contact'
              ? d.record.handle
              : String(d.record.kind)
        expect(found.map(keyOf).sort()).toEqual([...expected.keys()].sort())
        for (const d of found) expect(d).toEqual(expected.get(keyOf(d)))
      },
    ),
    { numRuns: 400 },
  )
  // the runs covered searches that found, found nothing, and were refused
  expect(seen.found).toBeGreaterThan(10)
  expect(seen.empty).toBeGreaterThan(5)
  expect(seen.refused).toBeGreaterThan(5)
  expect(guardLines).toEqual([])
}, 120_000)

async function load(contacts: readonly Contact[], domains: readonly Of<typeof domainArb>[]) {
  await db.primary.transaction(async (tx) => {
    await tx.exec('delete from domains; delete from contacts;')
    for (const c of contacts)
      await tx.query(
        `insert into contacts (roid, name, email, country_code, person_kind, consent, registrar_iana_id, street, city)
         values ($1, $2, $3, $4, $5, $6::text[], $7, '{"1 Street"}', 'Town')`,
        [c.roid, c.name, c.email, c.country, c.personKind, c.consent, c.sponsor],
      )
    for (const [i, d] of domains.entries()) {
      const roid = (role: ContactRole) => {
        const index = d[role]
        return index === undefined ? null : contacts[index]!.roid
      }
      await tx.query(
        `insert into domains (roid, ldh_name, registrar_iana_id, created_at, expires_at, ${CONTACT_ROLES.map((r) => ROLE_COLUMNS[r]).join(', ')}, nameservers)
         values ($1, $2, $3, now(), now() + interval '1 year', $4, $5, $6, $7, '{ns1.host.test}')`,
        [`D${i}-P`, `d${i}.test`, d.sponsor, ...CONTACT_ROLES.map(roid)],
      )
    }
  })
}
