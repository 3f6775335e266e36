import { domainToASCII } from 'node:url'
import type { Db } from '../storage/db.js'
import { seedDemoIfEmpty } from './registry.js'

const WORDS = [
  'alpine',
  'amber',
  'aurora',
  'basalt',
  'birch',
  'cedar',
  'cobalt',
  'coral',
  'delta',
  'ember',
  'fjord',
  'garnet',
  'harbor',
  'indigo',
  'jade',
  'juniper',
  'lagoon',
  'lumen',
  'maple',
  'meadow',
  'nimbus',
  'onyx',
  'orchid',
  'pebble',
  'prairie',
  'quartz',
  'raven',
  'saffron',
  'sierra',
  'summit',
  'tundra',
  'velvet',
  'willow',
  'zephyr',
]
const IDN_WORDS = [
  'bücher',
  'café',
  'straße',
  'müller',
  'señor',
  'ελληνικά',
  'москва',
  '東京',
  '台北',
  'øresund',
]
const GIVEN = [
  'Anna',
  'Ben',
  'Chiara',
  'Dmitri',
  'Elif',
  'Femi',
  'Greta',
  'Hiro',
  'Ines',
  'Jonas',
  'Kaja',
  'Luca',
  'Maja',
  'Nils',
  'Olga',
  'Pablo',
  'Quinn',
  'Rosa',
  'Sven',
  'Tomasz',
  'Uma',
  'Vera',
  'Wei',
  'Yara',
]
const FAMILY = [
  'Andersen',
  'Bianchi',
  'Costa',
  'Dubois',
  'Eriksson',
  'Fischer',
  'García',
  'Horvat',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Lindqvist',
  'Moreau',
  'Novak',
  'Oliveira',
  'Papadopoulos',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Varga',
  'Wong',
]
// country, region, city, postal code, phone prefix; EEA and elsewhere
const PLACES: ReadonlyArray<readonly [string, string, string, string, string]> = [
  ['DE', 'BE', 'Berlin', '10115', '+49.30'],
  ['FR', 'IDF', 'Paris', '75002', '+33.1'],
  ['NL', 'NH', 'Amsterdam', '1012', '+31.20'],
  ['IT', 'RM', 'Roma', '00184', '+39.06'],
  ['ES', 'M', 'Madrid', '28013', '+34.91'],
  ['PL', 'MZ', 'Warszawa', '00-001', '+48.22'],
  ['SE', 'AB', 'Stockholm', '11157', '+46.8'],
  ['NO', 'OS', 'Oslo', '0150', '+47.22'],
  ['US', 'NY', 'New York', '10001', '+1.212'],
  ['CA', 'ON', 'Toronto', 'M5H 2N2', '+1.416'],
  ['TW', 'TPE', 'Taipei', '110', '+886.2'],
  ['JP', '13', 'Tokyo', '100-0001', '+81.3'],
  ['BR', 'SP', 'São Paulo', '01000-000', '+55.11'],
  ['AU', 'NSW', 'Sydney', '2000', '+61.2'],
  ['GB', 'LND', 'London', 'EC1A 1BB', '+44.20'],
  ['CH', 'ZH', 'Zürich', '8001', '+41.44'],
]
const REGISTRARS = [1001, 1002, 1003]
const TECH_CONTACTS = ['C2001-EXAMPLE', 'C2002-EXAMPLE', 'C2003-EXAMPLE']
const STATUSES = [
  ['ok'],
  ['clientTransferProhibited'],
  ['clientTransferProhibited', 'clientDeleteProhibited'],
  ['serverTransferProhibited'],
  ['clientHold'],
]

/** a small deterministic PRNG (mulberry32): the same N gives the same registry */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T

interface Batch {
  readonly contacts: unknown[][]
  readonly domains: unknown[][]
}

/** the synthetic registrations numbered [from, to): one registrant each, tech contact per registrar */
export function syntheticBatch(from: number, to: number): Batch {
  const contacts: unknown[][] = Array.from({ length: 15 }, () => [])
  const domains: unknown[][] = Array.from({ length: 13 }, () => [])
  const base = Date.UTC(2000, 0, 1)
  for (let i = from; i < to; i++) {
    const r = random(i * 2654435761)
    const idn = r() < 0.05
    const label = idn ? `${pick(r, IDN_WORDS)}-${i}` : `${pick(r, WORDS)}-${pick(r, WORDS)}-${i}`
    const ldhName = domainToASCII(`${label}.example`)
    const unicodeName = idn ? `${label}.example` : null
    const [cc, region, city, postal, prefix] = pick(r, PLACES)
    const legal = r() < 0.25
    const given = pick(r, GIVEN)
    const family = pick(r, FAMILY)
    const consent = !legal && r() < 0.1 ? ['name', 'email'] : []
    const registrar = pick(r, REGISTRARS)
    const created = new Date(base + Math.floor(r() * 25 * 365) * 86400000)
    const expires = new Date(created.getTime() + (1 + Math.floor(r() * 10)) * 365 * 86400000)
    const roid = `C${1000000 + i}-EXAMPLE`
    const contact = [
      roid,
      `${given} ${family}`,
      legal ? `${family} ${pick(r, WORDS)} GmbH` : null,
      [`${1 + Math.floor(r() * 200)} ${pick(r, WORDS)} Street`],
      city,
      region,
      postal,
      cc,
      `${prefix}${String(1000000 + Math.floor(r() * 8999999))}`,
      `${given}.${family}.${i}@mail.example`.toLowerCase(),
      legal ? 'legal' : 'natural',
      consent,
      consent.length ? created : null,
      registrar,
      created,
    ]
    contact.forEach((v, k) => contacts[k]!.push(v))
    const signed = r() < 0.15
    const ds = signed
      ? [
          {
            keyTag: 1 + Math.floor(r() * 65534),
            algorithm: 13,
            digestType: 2,
            digest: (i.toString(16).padStart(8, '0') + 'A1B2C3D4').repeat(4).toUpperCase(),
          },
        ]
      : []
    // name servers of 2,000 DNS providers, out of zone, a few of them very popular (as at any registry):
    // drawn last, so that every other value stays what it was before they were added
    const provider = Math.floor(2000 * r() ** 3)
    const domain = [
      `D${1000000 + i}-EXAMPLE`,
      ldhName,
      unicodeName,
      registrar,
      pick(r, STATUSES),
      created,
      expires,
      roid,
      roid,
      TECH_CONTACTS[REGISTRARS.indexOf(registrar)],
      [`ns1.dns${provider}.example.net`, `ns2.dns${provider}.example.net`],
      signed,
      JSON.stringify(ds),
    ]
    domain.forEach((v, k) => domains[k]!.push(v))
  }
  return { contacts, domains }
}

const INSERT_CONTACTS = `
  insert into contacts (roid, name, organization, street, city, state_province, postal_code, country_code, phone,
                        email, person_kind, consent, consent_at, registrar_iana_id, created_at)
  select roid, name, org, array[street], city, region, postal, cc, phone, email, kind,
         case when consent = '' then '{}'::text[] else string_to_array(consent, ',') end, consent_at, rar, created
    from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::int[], $15::timestamptz[])
      as t(roid, name, org, street, city, region, postal, cc, phone, email, kind, consent, consent_at, rar, created)
  on conflict (roid) do nothing`

const INSERT_DOMAINS = `
  insert into domains (roid, ldh_name, unicode_name, registrar_iana_id, statuses, created_at, expires_at,
                       registrant_roid, admin_roid, tech_roid, nameservers, delegation_signed, ds_data)
  select roid, ldh, uni, rar, string_to_array(statuses, ','), created, expires, registrant, admin, tech,
         string_to_array(ns, ','), signed, ds::jsonb
    from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                $8::text[], $9::text[], $10::text[], $11::text[], $12::boolean[], $13::text[])
      as t(roid, ldh, uni, rar, statuses, created, expires, registrant, admin, tech, ns, signed, ds)
  on conflict (roid) do nothing`

/**
 * Writes synthetic registrations 0..n-1 (plus the demo set) in batches. Deterministic and
 * idempotent: running it again, or with a larger n, adds only what is missing.
 */
export async function seedSynthetic(
  db: Db,
  n: number,
  onProgress: (done: number, total: number) => void = () => undefined,
  batchSize = 10000,
): Promise<void> {
  await seedDemoIfEmpty(db)
  // Cached plans, the foreign-key checks' among them, are made once per connection from the
  // statistics of that moment. Made while the tables were known to be (nearly) empty, each check of
  // a new domain reads every contact: on tables a VACUUM had left empty the first 10,000 domains
  // took 7 s and the next ran into the query timeout. ANALYZE replans them, here and in a server
  // already running on these tables.
  const analyze = () => db.exec('analyze registrars, contacts, domains')
  await analyze()
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize)
    const { contacts, domains } = syntheticBatch(from, to)
    // arrays of arrays travel as comma-joined text: unnest() cannot take ragged 2-D arrays
    contacts[11] = (contacts[11] as string[][]).map((c) => c.join(','))
    contacts[3] = (contacts[3] as string[][]).map((s) => s[0])
    domains[4] = (domains[4] as string[][]).map((s) => s.join(','))
    domains[10] = (domains[10] as string[][]).map((s) => s.join(','))
    await db.transaction(async (tx) => {
      await tx.query(INSERT_CONTACTS, contacts)
      await tx.query(INSERT_DOMAINS, domains)
    })
    if (from === 0) await analyze() // from now on the statistics say "not small"
    onProgress(to, n)
  }
  if (n > batchSize) await analyze() // the final statistics, for the planner and for operators
}
