import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

/** a message as the sink received it */
export interface Received {
  readonly from: string
  readonly to: readonly string[]
  readonly raw: string
}

/**
 * An SMTP server on loopback standing for the registry's outbound relay: it keeps what it receives,
 * refuses recipients `refuse` names (with `code`), and can be stopped and started on its port.
 */
export class SmtpSink {
  readonly received: Received[] = []
  refuse: RegExp | undefined
  code = 550
  private server: SMTPServer | undefined
  port = 0

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.refuse?.test(address.address))
          return callback(
            Object.assign(new Error('Mailbox unavailable'), { responseCode: this.code }),
          )
        callback()
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          this.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          })
          callback()
        })
      },
    })
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject)
      this.server!.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (this.server.server.address() as AddressInfo).port
    return this
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** waits until `count` messages match, or fails after `ms` */
  async waitFor(match: (m: Received) => boolean, count = 1, ms = 15_000): Promise<Received[]> {
    const until = Date.now() + ms
    for (;;) {
      const found = this.received.filter(match)
      if (found.length >= count) return found
      if (Date.now() > until) throw new Error(`the sink got ${found.length} of ${count} messages`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}
