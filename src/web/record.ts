import type { ContactRole } from '../domain/registration.js'
import { CONTACT_ROLES } from '../domain/registration.js'
import type {
  DisclosedContact,
  DisclosedRegistrar,
  Disclosure,
  Withheld,
} from '../policy/disclosure.js'
import { withheldByGroup } from '../policy/disclosure.js'
import { ruleOf } from '../policy/explain.js'
import type { Policy } from '../policy/load.js'
import { html, type Html } from './html.js'
import {
  CONDITION_WORDS,
  CONTACT_LABELS,
  CONTACT_TITLES,
  humanTime,
  REGISTRAR_LABELS,
  STATUS_WORDS,
} from './words.js'

/** why a field is withheld, in a sentence: who the policy shows it to, and when */
export function withheldReason(policy: Policy, w: Withheld): string {
  const rule = ruleOf(policy, w.path)
  const kind = w.personal ? 'Personal data' : 'Not published'
  const when = (rule?.alsoWhen ?? [])
    // a condition that can never hold under this policy is no reason to give
    .filter((c) => c !== 'outsideScope' || policy.scope.applies === 'countries')
    .map((c) => CONDITION_WORDS[c])
  const registrar = rule?.audiences.includes('registrar') ? ['the sponsoring registrar'] : []
  const purposes = (rule?.audiences ?? []).flatMap((a) =>
    a.startsWith('accredited:') ? [PURPOSE_WORDS[a.slice('accredited:'.length)] ?? a] : [],
  )
  const who = [
    ...registrar,
    ...(purposes.length ? [`accredited requesters for ${list(purposes)}`] : []),
  ]
  if (!who.length && !when.length)
    return `${kind}: the ${policy.name} policy discloses it to no one.`
  return `${kind}: the ${policy.name} policy discloses it only to ${who.length ? list(who) : 'no one'}${
    when.length ? `, or publishes it when ${list(when, 'or')}` : ''
  }.`
}

const PURPOSE_WORDS: Readonly<Record<string, string>> = {
  'law-enforcement': 'law enforcement',
  cybersecurity: 'cybersecurity',
  'ip-protection': 'intellectual-property protection',
  'consumer-protection': 'consumer protection',
}

const list = (items: readonly string[], last = 'and'): string =>
  items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`

type Row = Html

const row = (label: string, value: Html | string): Row =>
  html`<div class="row">
    <dt>${label}</dt>
    <dd>${value}</dd>
  </div>`

function withheldRow(label: string, note: Html): Row {
  return html`<div class="row withheld">
    <dt>${label}</dt>
    <dd>${note}</dd>
  </div>`
}

/**
 * The reasons a record gives for what it withholds, each written once and numbered: a withheld
 * field shows the mark and points to its reason (aria-describedby), instead of the same sentence
 * in every row.
 */
class Reasons {
  private readonly numbers = new Map<string, number>()
  constructor(
    private readonly policy: Policy,
    private readonly prefix: string,
  ) {}

  mark(w: Withheld): Html {
    const text = withheldReason(this.policy, w)
    let n = this.numbers.get(text)
    if (n === undefined) this.numbers.set(text, (n = this.numbers.size + 1))
    const id = `${this.prefix}-${n}`
    return html`<span class="badge" aria-describedby="${id}">Withheld for privacy</span>
      <a class="why" href="#${id}">reason ${n}</a>`
  }

  render(): Html | '' {
    if (this.numbers.size === 0) return ''
    return html`<section class="reasons">
      <h2>Why fields are withheld</h2>
      <ol>
        ${[...this.numbers].map(
          ([text, n]) => html`<li id="${this.prefix}-${n}" value="${n}">${text}</li>`,
        )}
      </ol>
    </section>`
  }
}

const time = (d: Date): Html => html`<time datetime="${d.toISOString()}">${humanTime(d)}</time>`

const link = (href: string): Html | string =>
  /^https?:\/\//.test(href) ? html`<a href="${href}" rel="nofollow noopener">${href}</a>` : href

/** the fields of one group, in the order given: shown values, and every withheld one marked */
function fieldRows<K extends string>(
  labels: Readonly<Record<K, string>>,
  values: object,
  withheld: ReadonlyMap<string, Withheld>,
  reason: (w: Withheld) => Html,
  show: (key: K, value: unknown) => Html | string = (_k, v) => String(v),
  always: readonly K[] = [],
): Row[] {
  const rows: Row[] = []
  for (const key of Object.keys(labels) as K[]) {
    const w = withheld.get(key)
    if (w) {
      // a replaced value has its own row (contactSection)
      if (!w.replacement) rows.push(withheldRow(labels[key], reason(w)))
      continue
    }
    const value: unknown = Reflect.get(values, key)
    if (value === undefined || value === null || value === '') {
      if (always.includes(key))
        rows.push(row(labels[key], html`<span class="none">None given</span>`))
      continue
    }
    if (Array.isArray(value)) {
      if (value.length)
        rows.push(
          row(labels[key], html`${value.map((v, i) => html`${i ? html`<br />` : ''}${v}`)}`),
        )
    } else rows.push(row(labels[key], show(key, value)))
  }
  return rows
}

function registrarRows(
  r: DisclosedRegistrar,
  withheld: ReadonlyMap<string, Withheld>,
  reason: (w: Withheld) => Html,
): Row[] {
  const [name, ...rest] = fieldRows(REGISTRAR_LABELS, r, withheld, reason, (key, value) =>
    key === 'url' || key === 'rdapBaseUrl'
      ? link(String(value))
      : key === 'abuseEmail' || key === 'email'
        ? html`<a href="mailto:${String(value)}">${String(value)}</a>`
        : String(value),
  )
  return [...(name ? [name] : []), row('IANA ID', String(r.ianaId)), ...rest]
}

function contactSection(
  role: ContactRole,
  c: DisclosedContact,
  withheld: ReadonlyMap<string, Withheld>,
  reason: (w: Withheld) => Html,
  contactUrl: (w: Withheld) => string | undefined,
): Html {
  // Calzone's public registrant: organization, state or province, country, present or not
  const always =
    role === 'registrant' ? (['organization', 'stateProvince', 'countryCode'] as const) : []
  const rows = fieldRows(CONTACT_LABELS, c, withheld, reason, undefined, always)
  const email = withheld.get('email')
  if (email?.replacement) {
    const r = email.replacement
    const href = r.kind === 'uri' ? r.value : `mailto:${r.value}`
    // the server's contact form where it offers one, else a message to the stand-in address
    const form = contactUrl(email)
    rows.push(
      html`<div class="row relayed">
        <dt>${CONTACT_LABELS.email}</dt>
        <dd>
          <a href="${href}">${r.value}</a>
          <p class="reason">
            The real address is withheld for privacy; this ${r.kind === 'uri' ? 'form' : 'address'}
            stands in for it.
            <a class="action" href="${form ?? href}"
              >Contact the ${CONTACT_TITLES[role].toLowerCase()}</a
            >
          </p>
        </dd>
      </div>`,
    )
  }
  return section(CONTACT_TITLES[role], rows)
}

const section = (title: string, rows: readonly Row[]): Html =>
  html`<section>
    <h2>${title}</h2>
    <dl>${rows}</dl>
  </section>`

export interface RecordOptions {
  readonly policy: Policy
  /** makes the ids of the reasons unique where a page shows several records */
  readonly idPrefix?: string
  /** the contact page for a relayed address, where the server offers one */
  readonly contactUrl?: (w: Withheld) => string | undefined
}

/** a domain, name server or registrar disclosure as a record people read */
export function renderRecord(d: Disclosure, options: RecordOptions): Html {
  const reasons = new Reasons(options.policy, options.idPrefix ?? 'why')
  const reason = (w: Withheld) => reasons.mark(w)
  return html`${recordSections(d, reason, options)}${reasons.render()}`
}

function recordSections(
  d: Disclosure,
  reason: (w: Withheld) => Html,
  options: RecordOptions,
): Html {
  const withheld = withheldByGroup(d.withheld)
  const none = new Map<string, Withheld>()
  const contactUrl = options.contactUrl ?? (() => undefined)
  const record = d.record
  switch (record.kind) {
    case 'domain': {
      const dom = record.domain
      const w = withheld.get('domain') ?? none
      const rows: Row[] = [
        row(
          'Domain name',
          dom.unicodeName
            ? html`<span lang="">${dom.unicodeName}</span>
                <span class="alabel">(${dom.ldhName})</span>`
            : dom.ldhName,
        ),
      ]
      rows.push(...fieldRows({ roid: 'Registry domain ID' }, dom, w, reason))
      if (w.has('statuses')) rows.push(withheldRow('Status', reason(w.get('statuses')!)))
      else if (dom.statuses?.length)
        rows.push(
          row(
            'Status',
            html`<ul class="statuses">
              ${dom.statuses.map((s) => html`<li>${STATUS_WORDS[s] ?? s} <code>${s}</code></li>`)}
            </ul>`,
          ),
        )
      const dates = [
        ['created', 'Registered'],
        ['updated', 'Last changed'],
        ['expires', 'Expires'],
        ['transferred', 'Last transferred'],
      ] as const
      for (const [key, label] of dates) {
        const ww = w.get(key)
        if (ww) rows.push(withheldRow(label, reason(ww)))
        else if (dom[key]) rows.push(row(label, time(dom[key])))
      }
      const sections = [
        section('Domain', rows),
        section(
          'Registrar',
          registrarRows(dom.registrar, withheld.get('registrar') ?? none, reason),
        ),
      ]
      for (const role of CONTACT_ROLES) {
        const c = dom.contacts[role]
        if (c)
          sections.push(contactSection(role, c, withheld.get(role) ?? none, reason, contactUrl))
      }
      sections.push(nameserversSection(dom, w, reason), dnssecSection(dom, w, reason))
      return html`${sections}`
    }
    case 'host': {
      const h = record.host
      const w = withheld.get('host') ?? none
      const rows: Row[] = [
        row(
          'Name server',
          h.unicodeName
            ? html`${h.unicodeName} <span class="alabel">(${h.ldhName})</span>`
            : h.ldhName,
        ),
        ...fieldRows(
          { roid: 'Registry host ID', ipv4: 'IPv4 addresses', ipv6: 'IPv6 addresses' },
          h,
          w,
          reason,
        ),
      ]
      if (h.statuses?.length)
        rows.push(
          row(
            'Status',
            html`${h.statuses.map((s, i) => html`${i ? html`<br />` : ''}${STATUS_WORDS[s] ?? s}`)}`,
          ),
        )
      if (h.created) rows.push(row('Created', time(h.created)))
      if (h.updated) rows.push(row('Last changed', time(h.updated)))
      return html`${section('Name server', rows)}${section(
        'Registrar',
        registrarRows(h.registrar, withheld.get('registrar') ?? none, reason),
      )}`
    }
    case 'registrar':
      return section(
        'Registrar',
        registrarRows(record.registrar, withheld.get('registrar') ?? none, reason),
      )
    case 'contact':
      return section(
        'Contact',
        fieldRows(CONTACT_LABELS, record.contact, withheld.get('contact') ?? none, reason),
      )
  }
}

type DomainOf = Extract<Disclosure['record'], { kind: 'domain' }>['domain']

function nameserversSection(
  dom: DomainOf,
  w: ReadonlyMap<string, Withheld>,
  reason: (w: Withheld) => Html,
): Html {
  const ww = w.get('nameservers')
  if (ww) return section('Name servers', [withheldRow('Name servers', reason(ww))])
  const servers = dom.nameservers ?? []
  return html`<section>
    <h2>Name servers</h2>
    ${
      servers.length
        ? html`<ul class="nameservers">
            ${servers.map(
              (ns) =>
                html`<li>
                  <a href="/?q=${encodeURIComponent(ns.ldhName)}">${ns.unicodeName ?? ns.ldhName}</a
                  >${
                    ns.unicodeName ? html` <span class="alabel">(${ns.ldhName})</span>` : ''
                  }${[...(ns.ipv4 ?? []), ...(ns.ipv6 ?? [])].map((ip) => html` <code>${ip}</code>`)}
                </li>`,
            )}
          </ul>`
        : html`<p>None: the domain is not delegated.</p>`
    }
  </section>`
}

function dnssecSection(
  dom: DomainOf,
  w: ReadonlyMap<string, Withheld>,
  reason: (w: Withheld) => Html,
): Html {
  const ww = w.get('secureDns')
  if (ww) return section('DNSSEC', [withheldRow('DNSSEC', reason(ww))])
  const s = dom.secureDns
  if (!s?.delegationSigned)
    return html`<section>
      <h2>DNSSEC</h2>
      <p>Unsigned delegation.</p>
    </section>`
  return html`<section>
    <h2>DNSSEC</h2>
    <p>Signed delegation.</p>
    ${
      s.dsData.length
        ? html`<table>
            <caption>
              DS records
            </caption>
            <thead>
              <tr>
                <th scope="col">Key tag</th>
                <th scope="col">Algorithm</th>
                <th scope="col">Digest type</th>
                <th scope="col">Digest</th>
              </tr>
            </thead>
            <tbody>
              ${s.dsData.map(
                (ds) =>
                  html`<tr>
                    <td>${ds.keyTag}</td>
                    <td>${ds.algorithm}</td>
                    <td>${ds.digestType}</td>
                    <td><code class="digest">${ds.digest}</code></td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }
  </section>`
}
