/** HTML text that is already safe to send: markup built by `html`, never a value from outside */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** text as HTML content or a quoted attribute value */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

type Part = Html | string | number | null | undefined | false | readonly Part[]

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return ''
  if (part instanceof Html) return part.text
  if (Array.isArray(part)) return part.map(render).join('')
  return escapeHtml(String(part))
}

/**
 * A template tag: every interpolated value is escaped unless it is Html made here; arrays are
 * joined, and null, undefined and false leave nothing. Registry data can hold any text.
 */
export function html(strings: TemplateStringsArray, ...values: readonly Part[]): Html {
  let text = strings[0]!
  values.forEach((v, i) => {
    text += render(v) + strings[i + 1]!
  })
  return new Html(text)
}
