/**
 * The URL `input` names (against `base`), or undefined when it names none. Not `URL.canParse`: on
 * Node 20, once it runs optimized, it answers false for some URLs that parse, such as any with an
 * IDN host.
 */
export function parseUrl(input: string, base?: string): URL | undefined {
  try {
    return new URL(input, base)
  } catch {
    return undefined
  }
}
