import { connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, test } from '@jest/globals'
import { createAuditLog } from '../../src/audit/disclosures.js'
import { createWhoisServer, type WhoisLimits } from '../../src/whois/server.js'
import { loadTestPolicy } from '../helpers/app.js'
import { openTestDb, silentLog, type TestDb } from '../helpers/db.js'

/**
 * The idle flood that locked port 43 before: connections from 40 loopback addresses, 27 each (under
 * the per-address cap), held open without a query and reopened as soon as they close. A client from
 * another network must still be answered, within a second.
 */
// a locked-out newcomer would wait for an idle socket's deadline; one let in is answered well before
// it, even on a busy machine (the second test took 1.08 s once, the full suites running side by side)
const DEADLINE_MS = 5000
const AT_ONCE_MS = DEADLINE_MS / 2

describe('fair WHOIS connections under an idle flood', () => {
  let db: TestDb | undefined
  let server: Server | undefined
  const attackers: Socket[] = []
  let flooding = false

  afterEach(async () => {
    flooding = false
    attackers.splice(0).forEach((s) => s.destroy())
    if (server) await new Promise((resolve) => server!.close(resolve))
    await db?.close()
  })

  async function start(limits: Partial<WhoisLimits>): Promise<number> {
    db = await openTestDb()
    server = createWhoisServer({
      reader: db.reader,
      policy: await loadTestPolicy(),
      audit: createAuditLog(db.primary),
      log: silentLog,
      termsOfUse: 'Terms.',
      limits: { queryDeadlineMs: DEADLINE_MS, ...limits },
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    return (server.address() as AddressInfo).port
  }

  /** holds `perAddress` idle connections from each of 127.0.0.2 … 127.0.0.41, reopening closed ones */
  async function flood(port: number, perAddress: number): Promise<void> {
    flooding = true
    const hold = (localAddress: string) => {
      if (!flooding) return
      const s = connect({ port, host: '127.0.0.1', localAddress })
      attackers.push(s)
      s.on('error', () => undefined)
      s.on('close', () => setTimeout(() => hold(localAddress), 10))
    }
    for (let a = 2; a <= 41; a++) for (let i = 0; i < perAddress; i++) hold(`127.0.0.${a}`)
    await new Promise((r) => setTimeout(r, 1500)) // let the flood fill the table
  }

  /** one query from `localAddress`: its answer, and how long it took */
  const query = (port: number, localAddress: string) =>
    new Promise<{ text: string; ms: number }>((resolve, reject) => {
      const started = Date.now()
      const s = connect({ port, host: '127.0.0.1', localAddress })
      let text = ''
      s.on('data', (c) => (text += c))
      s.on('close', () => resolve({ text, ms: Date.now() - started }))
      s.on('error', reject)
      s.write('privacy.example\r\n')
    })

  test('at the defaults, one network holds at most its share: another is answered at once', async () => {
    const port = await start({
      maxConnections: 1024,
      maxConnectionsPerIp: 32,
      maxConnectionsPerNetwork: 128,
    })
    await flood(port, 27)
    const answer = await query(port, '127.0.1.1')
    expect(answer.text).toContain('Domain Name: PRIVACY.EXAMPLE')
    expect(answer.ms).toBeLessThan(AT_ONCE_MS)
    // the flood's own network is refused past its share, with a line saying why
    const refused = await query(port, '127.0.0.42')
    expect(refused.text).toMatch(/too many connections from your network/)
  }, 30000)

  test('near the total cap, the longest-idle connections make room for a newcomer', async () => {
    const port = await start({
      maxConnections: 64,
      maxConnectionsPerIp: 32,
      maxConnectionsPerNetwork: 10_000,
    })
    await flood(port, 27)
    const answer = await query(port, '127.0.2.1')
    expect(answer.text).toContain('Domain Name: PRIVACY.EXAMPLE')
    expect(answer.ms).toBeLessThan(AT_ONCE_MS)
  }, 30000)
})
