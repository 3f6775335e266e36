import { html, type Html } from './html.js'

/** what a page may load: its own origin's styles, scripts and requests, nothing inline, no frames */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

export interface PageOptions {
  readonly title: string
  /** which item of the navigation is this page */
  readonly current?: 'lookup' | 'registrar' | 'terms'
  /** the whole width of the screen, for tables of many columns */
  readonly wide?: boolean
  /** scripts of /assets/ that enhance the page (deferred) */
  readonly scripts?: readonly string[]
}

const NAV = [
  ['lookup', '/', 'Lookup'],
  ['registrar', '/registrar', 'Registrar workbench'],
  ['terms', '/terms', 'Terms of use'],
] as const

/** the whole document around a page's main content */
export function page(options: PageOptions, main: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Registration data</title>
        <link rel="stylesheet" href="/assets/site.css" />
        <link rel="icon" href="/assets/icon.svg" type="image/svg+xml" />
        ${(options.scripts ?? []).map((s) => html`<script src="/assets/${s}" defer></script> `)}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="site">
          <a class="brand" href="/">Registration data</a>
          <nav aria-label="Site">
            <ul>
              ${NAV.map(
                ([id, href, label]) =>
                  html`<li>
                    <a href="${href}" ${options.current === id ? html` aria-current="page"` : ''}
                      >${label}</a
                    >
                  </li>`,
              )}
            </ul>
          </nav>
        </header>
        <main id="main" ${options.wide ? html` class="wide"` : ''}>${main}</main>
        <footer class="site">
          <p>
            Also served as <a href="/rdap/help">RDAP</a> (JSON) and as WHOIS on port 43. Use is
            subject to the <a href="/terms">terms of use</a>.
          </p>
        </footer>
      </body>
    </html> `.text
}
