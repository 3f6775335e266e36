import type { Socket } from 'node:net'
import { clientKey, networkKey } from '../limits/addresses.js'

export interface ConnectionLimits {
  readonly maxConnections: number
  readonly maxConnectionsPerIp: number
  /** from one IPv4 /24 or IPv6 /48 */
  readonly maxConnectionsPerNetwork: number
}

/** why a new connection is turned away, in the words of its one error line */
export type Refusal = 'address' | 'network' | 'full'

interface Entry {
  readonly client: string
  readonly network: string
  /** still waiting for its query line: what can be closed to make room */
  waiting: boolean
}

/**
 * Port 43's connections, shared fairly. Each address, and each network (/24, /48), holds only so
 * many; when the total nears its cap, the connections that have waited longest without sending a
 * query are closed to make room, so that someone holding idle sockets from many addresses cannot
 * lock everyone else out. Only when every connection is busy answering is a newcomer refused.
 */
export function createConnectionTable(limits: ConnectionLimits) {
  const open = new Map<Socket, Entry>() // insertion order: oldest first
  const perClient = new Map<string, number>()
  const perNetwork = new Map<string, number>()
  // room kept free for newcomers: eviction starts this far below the cap
  const reserve = Math.max(1, Math.floor(limits.maxConnections / 16))
  const add = (counts: Map<string, number>, key: string, n: number) => {
    const left = (counts.get(key) ?? 0) + n
    if (left <= 0) counts.delete(key)
    else counts.set(key, left)
  }
  return {
    /** admits a new connection (closing idle ones to make room), or says why it may not stay */
    admit(socket: Socket, evict: (idle: Socket) => void): Refusal | undefined {
      const address = socket.remoteAddress ?? 'unknown'
      const client = clientKey(address)
      const network = networkKey(address, { v4: 24, v6: 48 })
      if ((perClient.get(client) ?? 0) >= limits.maxConnectionsPerIp) return 'address'
      if ((perNetwork.get(network) ?? 0) >= limits.maxConnectionsPerNetwork) return 'network'
      if (open.size >= limits.maxConnections - reserve) {
        for (const [idle, entry] of open) {
          if (open.size < limits.maxConnections - reserve) break
          if (entry.waiting) evict(idle)
        }
      }
      if (open.size >= limits.maxConnections) return 'full'
      open.set(socket, { client, network, waiting: true })
      add(perClient, client, 1)
      add(perNetwork, network, 1)
      return undefined
    },
    /** its query has arrived: it is being answered, not idle */
    answering(socket: Socket): void {
      const entry = open.get(socket)
      if (entry) entry.waiting = false
    },
    release(socket: Socket): void {
      const entry = open.get(socket)
      if (!entry) return
      open.delete(socket)
      add(perClient, entry.client, -1)
      add(perNetwork, entry.network, -1)
    },
    get size() {
      return open.size
    },
  }
}
