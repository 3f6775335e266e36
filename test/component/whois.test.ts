import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createAuditLog } from '../../src/audit/disclosures.js'
import { createWhoisServer } from '../../src/whois/server.js'
import { loadTestPolicy } from '../helpers/app.js'
import { ENGINE, openTestDb, silentLog, type TestDb } from '../helpers/db.js'
import { expectGolden } from '../helpers/golden.js'
import { PRIVACY_REGISTRANT_VALUES } from '../helpers/rdap.js'

const NOW = new Date('2026-01-01T00:00:00Z')

/** one whois exchange over real TCP: send, read until the server closes */
function query(
  port: number,
  payload: string | Buffer,
  options: { endAfterWrite?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.write(payload)
    if (options.endAfterWrite) socket.end()
  })
}

describe(`WHOIS on port 43 (${ENGINE})`, () => {
  let db: TestDb
  let server: Server
  let port: number
  beforeAll(async () => {
    db = await openTestDb()
    const policy = await loadTestPolicy()
    server = createWhoisServer({
      reader: db.reader,
      policy,
      audit: createAuditLog(db.primary),
      log: silentLog,
      termsOfUse: 'Registration data is provided for lawful purposes only.',
      now: () => NOW,
      limits: { queryDeadlineMs: 800, maxConnectionsPerIp: 8 },
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await db.close()
  })

  test.each([
    'privacy.example',
    'company.example',
    'consent.example',
    'xn--bcher-kva.example',
    'signed.example',
  ])('the public record of %s is exactly the golden text', async (name) => {
    await expectGolden(`whois/${name}.txt`, await query(port, `${name}\r\n`))
  })

  test('every line ends in CRLF and the ICANN fields stand in order', async () => {
    const text = await query(port, 'privacy.example\r\n')
    expect(
      text
        .split('\r\n')
        .slice(0, -1)
        .every((line) => !line.includes('\n') && !line.includes('\r')),
    ).toBe(true)
    const labels = text.split('\r\n').map((l) => l.split(':')[0])
    const order = [
      'Domain Name',
      'Registry Domain ID',
      'Registrar WHOIS Server',
      'Registrar URL',
      'Updated Date',
      'Creation Date',
      'Registry Expiry Date',
      'Registrar',
      'Registrar IANA ID',
      'Registrar Abuse Contact Email',
      'Registrar Abuse Contact Phone',
      'Domain Status',
      'Registry Registrant ID',
      'Registrant Name',
      'Registrant Street',
      'Registrant City',
      'Registrant State/Province',
      'Registrant Postal Code',
      'Registrant Country',
      'Registrant Phone',
      'Registrant Email',
      'Registry Admin ID',
      'Admin Email',
      'Registry Tech ID',
      'Tech Email',
      'Name Server',
      'DNSSEC',
      'URL of the ICANN Whois Inaccuracy Complaint Form',
    ]
    const positions = order.map((label) => labels.indexOf(label))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    expect(text).toContain('Registrant Name: REDACTED FOR PRIVACY\r\n')
    expect(text).toMatch(/Registrant Email: [0-9a-f]{32}@anonymized\.nic\.example\r\n/)
    expect(text).toContain('>>> Last update of WHOIS database: 2026-01-01T00:00:00Z <<<\r\n')
    expect(text).toContain(
      'Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited\r\n',
    )
  })

  test("the public record of privacy.example contains none of its registrant's personal values", async () => {
    const text = await query(port, 'privacy.example\r\n')
    for (const value of PRIVACY_REGISTRANT_VALUES) expect(text).not.toContain(value)
  })

  test.each([
    ['PRIVACY.EXAMPLE.'],
    ['  privacy.example'],
    ['=privacy.example'],
    ['domain privacy.example'],
  ])('when asked %j, then the same record', async (q) => {
    expect(await query(port, `${q}\r\n`)).toBe(await query(port, 'privacy.example\r\n'))
  })

  test('when asked for the U-label, then the IDN record', async () => {
    expect(await query(port, 'BÜCHER.example\n')).toBe(
      await query(port, 'xn--bcher-kva.example\r\n'),
    )
  })

  test('when the name is unknown, then the standard No match line and the footer', async () => {
    const text = await query(port, 'nosuch.example\r\n')
    expect(text.startsWith('No match for "NOSUCH.EXAMPLE".\r\n')).toBe(true)
    expect(text).toContain('>>> Last update of WHOIS database:')
  })

  test('nameserver and registrar queries', async () => {
    const ns = await query(port, 'nameserver ns1.nic.example\r\n')
    expect(ns).toContain(
      'Server Name: NS1.NIC.EXAMPLE\r\nIP Address: 193.0.9.53\r\nIP Address: 2001:67c:2e8:11::c100:1353\r\nRegistrar: Example Registrar, Inc.\r\n',
    )
    expect(await query(port, 'registrar 1002\r\n')).toContain(
      'Registrar: Nordic Names AB\r\nStreet: Sveavägen 1\r\n',
    )
    expect(await query(port, 'registrar nordic names ab\r\n')).toContain(
      'Registrar IANA ID: 1002\r\n',
    )
    expect(await query(port, 'registrar Nobody Registrar\r\n')).toMatch(
      /^No match for "NOBODY REGISTRAR"/,
    )
  })

  test('stored values cannot forge lines', async () => {
    await db.primary.query(`update registrars set name = $1 where iana_id = 1003`, [
      'Pacific\r\nRegistrant Name: Forged',
    ])
    try {
      const text = await query(port, 'signed.example\r\n')
      expect(text).toContain('Registrar: Pacific  Registrant Name: Forged\r\n')
      expect(text).not.toMatch(/\r\nRegistrant Name: Forged/)
    } finally {
      await db.primary.query(
        `update registrars set name = 'Pacific Domains Ltd.' where iana_id = 1003`,
      )
    }
  })

  describe('bad input and abuse: one error line or a close, and others keep being served', () => {
    test('an over-long line', async () => {
      expect(await query(port, `${'a'.repeat(5000)}.example\r\n`)).toBe('Error: query too long\r\n')
    })
    test('a long line without a newline', async () => {
      expect(await query(port, 'b'.repeat(600))).toBe('Error: query too long\r\n')
    })
    test('binary junk', async () => {
      expect(await query(port, Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a]))).toBe(
        'Error: the query is not UTF-8 text\r\n',
      )
    })
    test('control characters and malformed names', async () => {
      expect(await query(port, 'pri\u0007vacy.example\r\n')).toMatch(/^Error: malformed name/)
      expect(await query(port, 'a..b\r\n')).toMatch(/^Error: malformed name/)
      expect(await query(port, '\r\n')).toBe('Error: empty query\r\n')
    })
    test('no newline before the client closes', async () => {
      expect(await query(port, 'privacy.example', { endAfterWrite: true })).toBe(
        'Error: no query received\r\n',
      )
    })
    test('no newline within the deadline, however slowly bytes trickle in (slowloris)', async () => {
      const started = Date.now()
      const text = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1')
        let out = ''
        const drip = setInterval(() => socket.writable && socket.write('a'), 100)
        socket.on('data', (c) => (out += c.toString()))
        socket.on('close', () => {
          clearInterval(drip)
          resolve(out)
        })
        socket.on('error', () => undefined)
      })
      expect(text).toMatch(/^Error: timeout/)
      expect(Date.now() - started).toBeLessThan(3000)
    })
    test('too many connections from one address', async () => {
      const idle = await Promise.all(
        Array.from(
          { length: 8 },
          () =>
            new Promise<ReturnType<typeof connect>>((resolve) => {
              const s = connect(port, '127.0.0.1', () => resolve(s))
              s.on('error', () => undefined)
            }),
        ),
      )
      await new Promise((r) => setTimeout(r, 50))
      expect(await query(port, 'privacy.example\r\n')).toMatch(/^Error: too many connections/)
      idle.forEach((s) => s.destroy())
      await new Promise((r) => setTimeout(r, 50))
      expect(await query(port, 'privacy.example\r\n')).toContain('Domain Name: PRIVACY.EXAMPLE')
    })
    test('many clients at once are all answered', async () => {
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => query(port, 'company.example\r\n')),
      )
      expect(answers.every((a) => a.startsWith('Domain Name: COMPANY.EXAMPLE'))).toBe(true)
    })
  })

  const whoisBinary = ['/usr/bin/whois', '/bin/whois'].find((p) => existsSync(p))
  ;(whoisBinary ? test : test.skip)(
    'the Debian whois client prints the public record',
    async () => {
      const { stdout } = await promisify(execFile)(whoisBinary!, [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        'privacy.example',
      ])
      expect(stdout).toContain('Domain Name: PRIVACY.EXAMPLE')
      expect(stdout).toContain('Registrant Name: REDACTED FOR PRIVACY')
      for (const value of PRIVACY_REGISTRANT_VALUES) expect(stdout).not.toContain(value)
    },
  )
})
