import type { Found } from '../lookup-any.js'
import type { Policy } from '../policy/load.js'
import type { Withheld } from '../policy/disclosure.js'
import { html, type Html } from './html.js'
import { page } from './layout.js'
import { renderRecord } from './record.js'

export interface LookupPageInput {
  readonly query?: string
  readonly found?: Found
  /** a sentence for a lookup that found nothing or failed */
  readonly problem?: string
  readonly policy: Policy
  readonly contactUrl?: (w: Withheld) => string | undefined
}

function searchForm(query: string | undefined): Html {
  return html`<form class="lookup" method="get" action="/" role="search">
    <label for="q">Domain name, name server or registrar</label>
    <div class="field">
      <input
        id="q"
        name="q"
        type="search"
        value="${query ?? ''}"
        required
        maxlength="300"
        autocomplete="off"
        spellcheck="false"
        placeholder="example.com, ns1.example.net, Example Registrar"
      /><button type="submit">Look up</button>
    </div>
  </form>`
}

/** the public lookup page: the box, then the record found or a sentence saying why not */
export function lookupPage(input: LookupPageInput): string {
  const { query, found, problem } = input
  const title = query ? query : 'Domain lookup'
  let result: Html | string = ''
  if (problem) result = html`<p class="problem" role="alert">${problem}</p>`
  else if (found) {
    const options = {
      policy: input.policy,
      ...(input.contactUrl ? { contactUrl: input.contactUrl } : {}),
    }
    if (found.kind === 'registrars')
      result = html`<h1>
          ${found.disclosures.length === 1 ? 'Registrar' : `Registrars matching “${query}”`}
        </h1>
        ${found.disclosures.map(
          (d, i) =>
            html`<article class="record">
              ${renderRecord(d, { ...options, idPrefix: `why-${i}` })}
            </article>`,
        )}`
    else {
      const d = found.disclosure
      const record = d.record
      const name =
        record.kind === 'domain'
          ? (record.domain.unicodeName ?? record.domain.ldhName)
          : record.kind === 'host'
            ? (record.host.unicodeName ?? record.host.ldhName)
            : ''
      const ldh =
        record.kind === 'domain'
          ? record.domain.ldhName
          : record.kind === 'host'
            ? record.host.ldhName
            : ''
      const rdap = `/rdap/${found.kind}/${encodeURIComponent(ldh)}`
      result = html`<h1>${name}</h1>
        <p class="view">
          As the public sees it under the ${d.policy.name} policy.
          ${
            d.withheld.some((w) => w.personal)
              ? 'Personal data is withheld for privacy; accredited requesters can ask over RDAP with a token.'
              : ''
          } <a href="${rdap}">This record as RDAP JSON</a>.
        </p>
        <article class="record">${renderRecord(d, options)}</article>`
    }
  } else
    result = html`<p class="intro">
      Look up who holds a domain name, where it is delegated, and how to reach its registrar.
      Personal data of the people behind a domain is withheld from the public, as the registry's
      privacy policy requires.
    </p>`
  return page(
    { title, current: 'lookup' },
    html`${found ? '' : html`<h1>Domain lookup</h1>`}${searchForm(query)}
      <div class="result" aria-live="polite">${result}</div>`,
  )
}
