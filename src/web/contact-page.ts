import { CONTACT_TITLES } from './words.js'
import { html, type Html } from './html.js'
import { page } from './layout.js'
import type { ContactRole } from '../domain/registration.js'

export interface ContactFormInput {
  readonly ldhName: string
  readonly unicodeName: string | null
  readonly role: ContactRole
  readonly values?: {
    readonly email?: string
    readonly subject?: string
    readonly message?: string
  }
  readonly problem?: string
}

const who = (role: ContactRole, name: string) =>
  `the ${CONTACT_TITLES[role].toLowerCase()} of ${name}`

/** /contact/<domain>: write to a contact whose address is withheld, without a mail client */
export function contactFormPage(input: ContactFormInput): string {
  const name = input.unicodeName ?? input.ldhName
  const v = input.values ?? {}
  return page(
    { title: `Contact ${who(input.role, name)}` },
    html`<h1>Contact ${who(input.role, name)}</h1>
      <p class="intro">
        The registry forwards your message; the contact's address is not shown to you. You will get
        an e-mail to confirm that you sent it: nothing is forwarded before you do. If the contact
        replies, you will see their address.
      </p>
      ${input.problem ? html`<p class="problem" role="alert">${input.problem}</p>` : ''}
      <form
        class="contact"
        method="post"
        action="/contact/${encodeURIComponent(input.ldhName)}?role=${input.role}"
      >
        <label for="email">Your e-mail address</label>
        <input
          id="email"
          name="email"
          type="email"
          required
          maxlength="254"
          autocomplete="email"
          value="${v.email ?? ''}"
        />
        <label for="subject">Subject</label>
        <input
          id="subject"
          name="subject"
          type="text"
          required
          maxlength="200"
          value="${v.subject ?? ''}"
        />
        <label for="message">Message</label>
        <textarea id="message" name="message" required maxlength="20000" rows="10">
${v.message ?? ''}</textarea>
        <div class="hp" aria-hidden="true">
          <label for="website">Leave this empty</label
          ><input id="website" name="website" type="text" tabindex="-1" autocomplete="off" />
        </div>
        <p><button type="submit">Send</button></p>
      </form>`,
  )
}

/** a page with one sentence: the outcome of a form or of a confirmation link */
export function contactOutcomePage(
  title: string,
  sentence: string | Html,
  problem = false,
): string {
  return page(
    { title },
    html`<h1>${title}</h1>
      ${problem ? html`<p class="problem" role="alert">${sentence}</p>` : html`<p>${sentence}</p>`}
      <p><a href="/">Back to the lookup</a></p>`,
  )
}

/** the page a confirmation link opens: a button, so that a link scanner cannot confirm */
export function confirmPage(token: string): string {
  return page(
    { title: 'Confirm your message' },
    html`<h1>Confirm your message</h1>
      <p>Send the message you wrote through the contact form?</p>
      <form method="post" action="/contact/confirm/${token}">
        <button type="submit">Send it</button>
      </form>`,
  )
}
