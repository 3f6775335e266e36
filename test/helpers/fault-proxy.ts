import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy between a server and PostgreSQL that plays the faults of a network and a database
 * host: connections reset, silently dropped, slowed down, or refused. The tests drive it; it
 * forwards faithfully until told otherwise.
 */
export interface FaultProxy {
  readonly port: number
  /** a postgres:// URL through the proxy, with `url`'s user, database and parameters */
  urlFor(url: string): string
  /** resets every open connection (RST), as a crashed database host or a firewall would */
  reset(): void
  /** stops forwarding in both directions, old and new connections alike, without closing any */
  drop(): void
  /** holds every chunk this long before forwarding it */
  delay(ms: number): void
  /** refuses new connections (the port is closed) and resets the open ones */
  refuse(): Promise<void>
  /** forwards again; what was held while dropped is delivered */
  heal(): Promise<void>
  close(): Promise<void>
}

interface Pair {
  readonly client: Socket
  readonly upstream: Socket
}

export async function startFaultProxy(target: URL): Promise<FaultProxy> {
  const pairs = new Set<Pair>()
  let mode: 'pass' | 'drop' = 'pass'
  let delayMs = 0
  const held: Array<() => void> = []
  let server: Server | undefined
  let port = 0

  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk: Buffer) => {
      const send = () => {
        if (!to.destroyed) to.write(chunk)
      }
      if (mode === 'drop') held.push(send)
      else if (delayMs > 0) setTimeout(send, delayMs)
      else send()
    })

  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname)
        const pair = { client, upstream }
        pairs.add(pair)
        forward(client, upstream)
        forward(upstream, client)
        const end = () => {
          pairs.delete(pair)
          client.destroy()
          upstream.destroy()
        }
        for (const s of [client, upstream]) s.on('error', end).on('close', end)
      })
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port
        resolve()
      })
    })

  const resetAll = () => {
    for (const { client, upstream } of pairs) {
      client.resetAndDestroy()
      upstream.resetAndDestroy()
    }
    pairs.clear()
  }

  await listen()
  return {
    get port() {
      return port
    },
    urlFor(url) {
      const u = new URL(url)
      u.hostname = '127.0.0.1'
      u.port = String(port)
      return u.href
    },
    reset: resetAll,
    drop() {
      mode = 'drop'
    },
    delay(ms) {
      delayMs = ms
    },
    async refuse() {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve())
        resetAll()
      })
      server = undefined
    },
    async heal() {
      mode = 'pass'
      delayMs = 0
      held.splice(0).forEach((send) => send())
      if (!server) await listen()
    },
    async close() {
      resetAll()
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    },
  }
}
