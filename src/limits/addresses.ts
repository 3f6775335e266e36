import { isIPv6 } from 'node:net'

/** the address without an IPv4-mapped prefix ("::ffff:192.0.2.1" → "192.0.2.1") */
export const plainAddress = (address: string): string =>
  address.startsWith('::ffff:') ? address.slice(7) : address

/** the 8 groups of an IPv6 address, as numbers */
function ipv6Groups(address: string): number[] {
  const [head = '', tail = ''] = address.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left
  return groups.map((g) => parseInt(g || '0', 16))
}

/**
 * The network an address belongs to, as a key: IPv4 by its first `v4` bits, IPv6 by its first `v6`
 * (both multiples of 8 and 16). One host commonly holds a whole IPv6 /64, one site a /48.
 */
export function networkKey(address: string, bits: { v4: number; v6: number }): string {
  const a = plainAddress(address)
  if (!isIPv6(a)) {
    if (bits.v4 >= 32) return a
    return `${a
      .split('.')
      .slice(0, bits.v4 / 8)
      .join('.')}.0/${bits.v4}`
  }
  const groups = ipv6Groups(a).slice(0, bits.v6 / 16)
  return `${groups.map((g) => g.toString(16)).join(':')}::/${bits.v6}`
}

/** the key of one client: an IPv4 address, or an IPv6 /64 */
export const clientKey = (address: string): string => networkKey(address, { v4: 32, v6: 64 })
