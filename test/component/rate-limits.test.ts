import { connect, type AddressInfo, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import request from 'supertest'
import { createAuditLog } from '../../src/audit/disclosures.js'
import { clientKey, networkKey } from '../../src/limits/addresses.js'
import { createRateLimits, type RateLimits } from '../../src/limits/rate-limits.js'
import { createWhoisServer } from '../../src/whois/server.js'
import { loadTestPolicy, startAccreditedApp, startTestApp, type TestApp } from '../helpers/app.js'
import { silentLog } from '../helpers/db.js'

const limitsOf = (env: Record<string, string>) =>
  createRateLimits({ RATE_LIMIT_PUBLIC: '0', RATE_LIMIT_AUTHENTICATED: '0', ...env }, silentLog)

describe('rate limits by tier (in memory)', () => {
  let t: TestApp
  let limits: RateLimits
  let token: string
  beforeAll(async () => {
    limits = limitsOf({ RATE_LIMIT_PUBLIC: '3/60', RATE_LIMIT_AUTHENTICATED: '1000/60' })
    ;({ t, token } = await startAccreditedApp({ limits }))
  })
  afterAll(() => t.close())

  test('the 4th anonymous query in the window gets 429 with Retry-After; not-found answers count', async () => {
    await request(t.app).get('/rdap/domain/privacy.example').expect(200)
    await request(t.app).get('/rdap/domain/nosuch.example').expect(404)
    await request(t.app).get('/rdap/domain/company.example').expect(200)
    const over = await request(t.app).get('/rdap/domain/privacy.example').expect(429)
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60)
    expect(over.headers['content-type']).toBe('application/rdap+json; charset=utf-8')
    expect(over.body).toMatchObject({
      errorCode: 429,
      title: 'Too Many Requests',
      description: [expect.stringMatching(/^Too many queries; try again in \d+ seconds\.$/)],
    })
    await request(t.app).get('/rdap/help').expect(429)
    expect(limits.refused).toBe(2)
  })

  test('an accredited token from the same address has its own, larger budget', async () => {
    await request(t.app)
      .get('/rdap/domain/privacy.example')
      .set('Authorization', `Bearer ${token}`)
      .expect(200)
    const help = await request(t.app).get('/rdap/help').set('Authorization', `Bearer ${token}`)
    expect(help.status).toBe(200)
    expect(help.body.notices).toContainEqual({
      title: 'Query limits',
      description: [
        expect.stringContaining('limited to 1000 every 60 seconds for each token subject'),
      ],
    })
  })

  test('behind a proxy, X-Forwarded-For counts only when TRUST_PROXY names the proxy', async () => {
    const lone = limitsOf({ RATE_LIMIT_PUBLIC: '1/60' })
    const proxied = await startTestApp({ limits: lone, trustProxy: 'loopback' })
    const direct = await startTestApp({ limits: limitsOf({ RATE_LIMIT_PUBLIC: '1/60' }) })
    try {
      const from = (app: TestApp, ip: string) =>
        request(app.app).get('/rdap/help').set('X-Forwarded-For', ip)
      await from(proxied, '203.0.113.5').expect(200)
      await from(proxied, '203.0.113.5').expect(429)
      await from(proxied, '203.0.113.6').expect(200) // another client behind the same proxy
      await from(direct, '203.0.113.5').expect(200)
      await from(direct, '203.0.113.6').expect(429) // untrusted: the header is not the client
    } finally {
      await proxied.close()
      await direct.close()
    }
  })

  test('an exempt address is never limited; IPv6 is counted by /64', async () => {
    const exempt = limitsOf({ RATE_LIMIT_PUBLIC: '1/60', RATE_LIMIT_EXEMPT: '127.0.0.0/8, ::1' })
    expect(exempt.exempt('::ffff:127.0.0.1')).toBe(true)
    expect(exempt.exempt('::1')).toBe(true)
    expect(exempt.exempt('192.0.2.1')).toBe(false)
    const app = await startTestApp({ limits: exempt })
    try {
      for (let i = 0; i < 5; i++) await request(app.app).get('/rdap/help').expect(200)
    } finally {
      await app.close()
    }
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64')
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7')
    expect(networkKey('192.0.2.7', { v4: 24, v6: 48 })).toBe('192.0.2.0/24')
    expect(networkKey('2001:db8:1:2::1', { v4: 24, v6: 48 })).toBe('2001:db8:1::/48')
  })
})

describe('rate limits on port 43', () => {
  let server: Server
  let port: number
  let db: Awaited<ReturnType<typeof startTestApp>>
  beforeAll(async () => {
    db = await startTestApp()
    server = createWhoisServer({
      reader: db.db.reader,
      policy: await loadTestPolicy(),
      audit: createAuditLog(db.db.primary),
      log: silentLog,
      termsOfUse: 'Terms.',
      rateLimits: limitsOf({ RATE_LIMIT_PUBLIC: '2/60' }),
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await db.close()
  })
  const query = (line: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      let text = ''
      socket.on('data', (c) => (text += c))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
      socket.write(`${line}\r\n`)
    })

  test('over budget, WHOIS answers one line saying when to retry, and closes', async () => {
    expect(await query('privacy.example')).toContain('Domain Name: PRIVACY.EXAMPLE')
    expect(await query('nosuch.example')).toMatch(/No match/i)
    expect(await query('privacy.example')).toMatch(
      /^Error: query limit exceeded; try again in \d+ seconds\r\n$/,
    )
  })
})
