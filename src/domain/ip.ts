import { isIP } from 'node:net'

/**
 * An IP address in the one form stored and searched: IPv4 dotted quad without leading zeros, IPv6
 * as RFC 5952 writes it (lowercase, longest zero run compressed). Undefined when it is not one.
 */
export function canonicalIp(value: string): { family: 4 | 6; address: string } | undefined {
  const family = isIP(value)
  if (family === 4)
    return value.split('.').some((o) => o.length > 1 && o.startsWith('0'))
      ? undefined
      : { family: 4, address: value }
  // URL host serialization is RFC 5952's canonical text form
  if (family === 6)
    return { family: 6, address: new URL(`http://[${value}]/`).hostname.slice(1, -1) }
  return undefined
}
