import { html } from './html.js'
import { page } from './layout.js'

/**
 * /registrar: the workbench's shell. Its script asks the workbench API with the registrar's token,
 * which it keeps in this tab's session storage only: never in a URL, a cookie or a form sent.
 */
export function workbenchPage(): string {
  return page(
    { title: 'Registrar workbench', current: 'registrar', scripts: ['workbench.js'], wide: true },
    html`<h1>Registrar workbench</h1>
      <p class="intro">
        See one of your domains as you, the public and each accredited purpose see it, with how each
        withheld field is withheld (RFC 9537) and the policy rule that decided it. Another
        registrar's domain shows only what the public sees.
      </p>
      <noscript
        ><p class="problem">
          The workbench needs JavaScript: it sends your token with each request and keeps it in this
          tab only. The public lookup works without it.
        </p></noscript
      >
      <form id="token-form" class="workbench" hidden>
        <label for="token">Registrar token</label>
        <div class="field">
          <input id="token" type="password" autocomplete="off" spellcheck="false" required /><button
            type="submit"
          >
            Use this token
          </button>
        </div>
        <p class="hint">Kept in this browser tab only, and forgotten when it closes.</p>
      </form>
      <div id="signed-in" hidden>
        <p>Signed in with a token. <button type="button" id="forget">Forget the token</button></p>
        <form id="domain-form" class="workbench">
          <label for="domain">Domain name</label>
          <div class="field">
            <input
              id="domain"
              type="text"
              list="own-domains"
              autocomplete="off"
              spellcheck="false"
              required
            /><button type="submit">Compare views</button>
          </div>
          <datalist id="own-domains"></datalist>
        </form>
        <section id="own" aria-labelledby="own-title">
          <h2 id="own-title">Your domains</h2>
          <ul id="own-list" class="own"></ul>
          <button type="button" id="more" hidden>More</button>
        </section>
      </div>
      <p id="status" class="problem" role="alert" hidden></p>
      <section id="views" aria-live="polite" hidden></section>`,
  )
}
