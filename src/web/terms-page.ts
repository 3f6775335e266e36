import type { Audience } from '../domain/audience.js'
import { FIELDS_BY_GROUP, type FieldGroup } from '../policy/fields.js'
import { ruleOf } from '../policy/explain.js'
import type { Policy } from '../policy/load.js'
import type { Budget } from '../limits/rate-limits.js'
import { html, type Html } from './html.js'
import { page } from './layout.js'
import { AUDIENCE_WORDS, CONDITION_WORDS, CONTACT_LABELS } from './words.js'

export interface TermsInput {
  readonly policy: Policy
  readonly publicBudget?: Budget
  readonly authenticatedBudget?: Budget
  /** the WHOIS host name, where one is announced */
  readonly port43?: string
}

/** the registrant's fields an audience always sees, and those it sees only under a condition */
function registrantView(policy: Policy, audience: Audience): { always: string[]; when: string[] } {
  const always: string[] = []
  const when: string[] = []
  for (const field of FIELDS_BY_GROUP.get('registrant' as FieldGroup) ?? []) {
    const rule = ruleOf(policy, field.path)
    const label = CONTACT_LABELS[field.key as keyof typeof CONTACT_LABELS] ?? field.key
    if (rule && (rule.everyone || rule.audiences.includes(audience))) always.push(label)
    else if (rule?.alsoWhen.length) when.push(label)
  }
  return { always, when }
}

const limitText = (b: Budget | undefined, whose: string): string =>
  b ? `${b.count} queries every ${b.seconds} seconds for ${whose}` : `no limit for ${whose}`

/** /terms: what the service is, what each audience sees under the policy in force, the limits */
export function termsPage(input: TermsInput): string {
  const { policy } = input
  const conditions = [
    ...new Set(
      [...policy.rules.values()].flatMap((r) => r.alsoWhen.map((c) => CONDITION_WORDS[c])),
    ),
  ]
  const tiers: Html[] = [...policy.audiences].map((audience) => {
    const view = registrantView(policy, audience)
    return html`<tr>
      <th scope="row">${AUDIENCE_WORDS[audience]}</th>
      <td>${view.always.length ? view.always.join(', ') : 'nothing'}</td>
    </tr>`
  })
  return page(
    { title: 'Terms of use', current: 'terms' },
    html`<h1>Terms of use</h1>
      <section>
        <h2>The service</h2>
        <p>
          This service publishes the registration data of the domain names this registry holds: over
          the web (this site), over RDAP (JSON, at <a href="/rdap/help">/rdap/</a>) and over WHOIS
          (port 43${input.port43 ? html`, at <code>${input.port43}</code>` : ''}). All three show
          the same record to the same requester: one disclosure policy decides, field by field, what
          each requester sees. The policy in force is <strong>${policy.name}</strong> (version
          ${policy.version}).
        </p>
        <p>
          Registration data is provided for lawful purposes only. Bulk or automated harvesting, and
          the use of the data for unsolicited advertising, are prohibited.
        </p>
      </section>
      <section>
        <h2>Who sees what</h2>
        <p>
          Everyone sees the domain name, its registrar and the registrar's abuse contact, the dates,
          the statuses, the name servers and DNSSEC. Of the personal data of the people behind a
          domain, the policy shows each kind of requester only what its purpose needs; what is
          withheld is marked as withheld, never silently left out.
        </p>
        <table>
          <caption>
            What each requester sees of the registrant
          </caption>
          <thead>
            <tr>
              <th scope="col">Requester</th>
              <th scope="col">Registrant fields shown</th>
            </tr>
          </thead>
          <tbody>
            ${tiers}
          </tbody>
        </table>
        ${conditions.length ? html`<p>Fields withheld from a requester are still shown when ${conditions.join(', or when ')}.</p>` : ''}
        <p>
          Accredited requesters authenticate with a token from an issuer the registry trusts and
          declare a purpose; every disclosure of personal data to them is logged in a tamper-evident
          audit log. A registrar sees its own domains in full, and any other domain as the public
          does. Where an e-mail address is withheld, the record gives an anonymized address or a web
          form that reaches the contact.
        </p>
      </section>
      <section>
        <h2>Query limits</h2>
        <p>
          ${limitText(input.publicBudget, 'each address (IPv6: each /64), over the web, RDAP and WHOIS together')};
          ${limitText(input.authenticatedBudget, 'each authenticated requester')}. Over the limit,
          queries are refused for a while (HTTP 429 with Retry-After).
        </p>
      </section>`,
  )
}
