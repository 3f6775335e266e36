import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { simpleParser } from 'mailparser'
import { createTransport } from 'nodemailer'
import { relayIdentity } from '../../src/contact/addresses.js'
import { startContactRelay, type ContactRelay } from '../../src/contact/relay.js'
import { createLogger } from '../../src/log.js'
import { disclose } from '../../src/policy/engine.js'
import type { Policy } from '../../src/policy/load.js'
import { listMessages } from '../../src/storage/contact.js'
import { findDomainByName } from '../../src/storage/registrations.js'
import { loadTestPolicy, startTestApp, TEST_SECRET, type TestApp } from '../helpers/app.js'
import request from 'supertest'
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.js'
import { isolatedEnv, runCli, startServerProcess } from '../helpers/processes.js'
import { SmtpSink } from '../helpers/smtp.js'

const REAL = 'erika.mustermann@mail.example'
const SENDER = 'brand-protection@sender.example'

let db: TestDb
let policy: Policy
let sink: SmtpSink
const logLines: string[] = []
const log = createLogger(
  { LOG_LEVEL: 'debug' },
  new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk))
      done()
    },
  }),
)
const replies: string[] = []
let relays: ContactRelay[] = []

beforeAll(async () => {
  db = await openTestDb()
  policy = await loadTestPolicy()
  sink = await new SmtpSink().start()
})
afterEach(async () => {
  await Promise.all(relays.map((r) => r.stop()))
  relays = []
  sink.refuse = undefined
})
afterAll(async () => {
  await sink.stop()
  await db.close()
  // nothing the relay said or logged, nor any notice, names the registrant's real address
  const everything = [
    ...logLines,
    ...replies,
    ...sink.received.filter((m) => !m.to.includes(REAL)).map((m) => m.raw),
  ]
  expect(logLines.length).toBeGreaterThan(0)
  expect(replies.length).toBeGreaterThan(10)
  for (const text of everything) expect(text).not.toContain(REAL)
})

/** the anonymized address the public record gives for a role of a domain */
async function anonymized(ldhName: string, role: 'registrant' | 'technical'): Promise<string> {
  const domain = (await findDomainByName(db.reader, ldhName))!
  const d = disclose(policy, { kind: 'domain', domain }, 'public')
  return d.withheld.find((w) => w.path === `${role}.email`)!.replacement!.value
}

interface RelayOptions {
  giveUpSeconds?: number
  sender?: { hour: number; day: number }
}

function relayOn(on: TestDb, options: RelayOptions = {}): ContactRelay {
  return startContactRelay({
    db: on.primary,
    policy,
    secret: TEST_SECRET,
    transport: createTransport({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      ignoreTLS: true,
    }),
    identity: relayIdentity(policy),
    limits: {
      sender: options.sender ?? { hour: 100, day: 100 },
      recipient: { hour: 100, day: 100 },
    },
    maxBytes: 50_000,
    giveUpSeconds: options.giveUpSeconds ?? 3600,
    retrySeconds: 1,
    pollMs: 100,
    log,
  })
}

async function startRelay(options: RelayOptions = {}) {
  const relay = relayOn(db, options)
  relays.push(relay)
  await new Promise<void>((resolve) => relay.smtp.listen(0, '127.0.0.1', () => resolve()))
  return { relay, port: (relay.smtp.server.address() as AddressInfo).port }
}

type MessageRecord = Awaited<ReturnType<typeof listMessages>>[number]

/** the relay's records once one matches: the sink has a message a moment before its sender marks it sent */
async function recordsOnce(
  match: (r: MessageRecord) => boolean,
  ms = 15_000,
): Promise<MessageRecord[]> {
  const until = Date.now() + ms
  for (;;) {
    const records = await listMessages(db.primary)
    if (records.some(match)) return records
    if (Date.now() > until) throw new Error(`no record matched: ${JSON.stringify(records)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** sends one message to the relay as a mail client would; the relay's reply, or its refusal */
async function send(port: number, to: string, extra: Record<string, unknown> = {}) {
  const client = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
  try {
    const info = await client.sendMail({
      from: `"Brand Protection" <${SENDER}>`,
      to,
      subject: 'Your domain infringes our mark',
      text: 'Please get in touch.',
      headers: {
        'X-Mailer': 'Tracker 1.0',
        'Disposition-Notification-To': SENDER,
        'X-Track-Id': 'abc123',
      },
      ...extra,
    })
    replies.push(info.response)
    return { ok: true as const, response: info.response }
  } catch (err) {
    const e = err as { response?: string; responseCode?: number }
    replies.push(String(e.response))
    return { ok: false as const, code: e.responseCode, response: String(e.response) }
  }
}

describe(`the contact relay (${ENGINE})`, () => {
  test("mail to privacy.example's anonymized registrant address reaches the registrant, Reply-To kept, tracking stripped", async () => {
    const { port } = await startRelay()
    const to = await anonymized('privacy.example', 'registrant')
    const sent = await send(port, to)
    expect(sent).toMatchObject({ ok: true })
    const [m] = await sink.waitFor((r) => r.to.includes(REAL))
    expect(m!.to).toEqual([REAL])
    const mail = await simpleParser(m!.raw)
    expect(mail.replyTo?.value).toEqual([{ address: SENDER, name: '' }])
    expect(mail.from?.value).toEqual([
      {
        address: 'relay@anonymized.nic.example',
        name: 'Brand Protection via the privacy.example contact relay',
      },
    ])
    expect(mail.subject).toBe('Your domain infringes our mark')
    expect(mail.text).toContain('Please get in touch.')
    expect(mail.text).toMatch(
      /sent to the registrant of privacy\.example through the registry's contact relay/,
    )
    expect(m!.raw).not.toMatch(/X-Mailer: Tracker|Disposition-Notification-To|X-Track-Id/i)
    // the record: no body, no recipient address
    const [record] = (await recordsOnce((r) => r.kind === 'relay' && r.state !== 'queued')).filter(
      (r) => r.kind === 'relay',
    )
    expect(record).toMatchObject({
      ldhName: 'privacy.example',
      role: 'registrant',
      sender: SENDER,
      state: 'sent',
      via: 'smtp',
    })
    expect(JSON.stringify(record)).not.toContain(REAL)
    const [raw] = await db.primary.query<{ raw: unknown }>(
      'select raw from contact_messages where id = $1',
      [record!.id],
    )
    expect(raw!.raw).toBeNull()
  })

  test('a contact whose e-mail changes keeps its anonymized address; mail follows the new one', async () => {
    const { port } = await startRelay()
    const before = await anonymized('company.example', 'technical')
    await db.primary.query(
      "update contacts set email = 'desk@nordicnames.example' where roid = 'C2002-EXAMPLE'",
    )
    try {
      expect(await anonymized('company.example', 'technical')).toBe(before)
      expect(await send(port, before, { subject: 'after the change' })).toMatchObject({ ok: true })
      const [m] = await sink.waitFor((r) => r.raw.includes('Subject: after the change'))
      expect(m!.to).toEqual(['desk@nordicnames.example'])
    } finally {
      await db.primary.query(
        "update contacts set email = 'tech@nordicnames.example' where roid = 'C2002-EXAMPLE'",
      )
    }
  })

  test('an unknown or forged anonymized address is refused at RCPT TO', async () => {
    const { port } = await startRelay()
    const real = await anonymized('privacy.example', 'registrant')
    const forged = real.replace(
      /^(.{20})./,
      (_all, head: string) => `${head}${real[20] === '0' ? '1' : '0'}`,
    )
    for (const to of [
      forged,
      `${'0'.repeat(32)}@anonymized.nic.example`,
      'postmaster@anonymized.nic.example',
      'someone@elsewhere.example',
    ]) {
      const r = await send(port, to)
      expect(r).toMatchObject({ ok: false, code: 550 })
    }
  })

  test('with the outbound relay down the message is kept, and delivered once it is back, also after a restart', async () => {
    await sink.stop()
    const first = await startRelay()
    const to = await anonymized('privacy.example', 'technical')
    expect(await send(first.port, to, { subject: 'while down' })).toMatchObject({ ok: true })
    const [kept] = (
      await recordsOnce((m) => m.kind === 'relay' && m.state === 'queued' && m.lastError !== null)
    ).filter((m) => m.kind === 'relay' && m.state === 'queued')
    expect(kept).toBeDefined()
    expect(kept!.attempts).toBeGreaterThanOrEqual(1)
    expect(kept!.lastError).toMatch(/ECONNREFUSED|connect/i)
    // the process stops; a new one starts while the relay is still down, then the relay comes back
    await first.relay.stop()
    relays = relays.filter((r) => r !== first.relay)
    await startRelay()
    await sink.start()
    const [m] = await sink.waitFor((r) => r.raw.includes('Subject: while down'))
    expect(m!.to).toEqual(['dns-ops@registrar-one.example'])
  })

  test('after the bounded time the sender gets a failure notice that names no recipient', async () => {
    sink.refuse = /mail\.example$/
    sink.code = 451
    const { port } = await startRelay({ giveUpSeconds: 2 })
    const to = await anonymized('privacy.example', 'registrant')
    expect(await send(port, to, { subject: 'never arrives' })).toMatchObject({ ok: true })
    const [notice] = await sink.waitFor(
      (r) => r.to.includes(SENDER) && r.raw.includes('Undelivered: never arrives'),
    )
    expect(notice!.raw).toContain('privacy.example')
    expect(notice!.raw).not.toContain(REAL)
    expect(notice!.from).toBe('')
    const records = await recordsOnce((r) => r.kind === 'notice' && r.state !== 'queued')
    expect(records.find((r) => r.kind === 'relay' && r.state === 'failed')?.lastError).toMatch(
      /451/,
    )
    expect(records.find((r) => r.kind === 'notice')?.state).toBe('sent')
  })

  test('a permanent refusal gives up at once; bounces, oversized mail and senders over their limit are refused', async () => {
    sink.refuse = /company\.example$/
    sink.code = 550
    const { port } = await startRelay({ sender: { hour: 2, day: 2 } })
    const to = await anonymized('company.example', 'registrant')
    await db.primary.query('delete from contact_messages')
    expect(await send(port, to, { subject: 'refused for good' })).toMatchObject({ ok: true })
    await sink.waitFor((r) => r.raw.includes('Undelivered: refused for good'))
    expect(await send(port, to, { text: 'x'.repeat(60_000) })).toMatchObject({
      ok: false,
      code: 552,
    })
    expect(await send(port, to)).toMatchObject({ ok: true })
    expect(await send(port, to)).toMatchObject({ ok: false, code: 450 })
    expect(await send(port, to, { envelope: { from: '', to } })).toMatchObject({
      ok: false,
      code: 550,
    })
  })
})

describe(`the contact form (${ENGINE})`, () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ contact: (on) => relayOn(on, { sender: { hour: 2, day: 5 } }) })
  })
  afterAll(async () => {
    await t.close()
  })

  // every page answered is scanned for the real address with the rest (afterAll)
  const post = (path: string, fields: Record<string, string>) =>
    request(t.app)
      .post(path)
      .type('form')
      .send(fields)
      .expect((res) => {
        replies.push(res.text)
      })

  test('the lookup page offers the form for each relayed address', async () => {
    const res = await request(t.app).get('/?q=privacy.example').expect(200)
    expect(res.text).toMatch(
      /href="\/contact\/privacy\.example\?role=registrant"[^>]*>\s*Contact the registrant<\/a/,
    )
  })

  test('a message is sent only after its sender confirms by e-mail, then reaches the registrant', async () => {
    const form = await request(t.app).get('/contact/privacy.example?role=registrant').expect(200)
    expect(form.text).toMatch(/<label for="email">Your e-mail address<\/label>/)
    const before = sink.received.length
    const sent = await post('/contact/privacy.example?role=registrant', {
      email: 'Buyer@Sender.example',
      subject: 'Is this domain for sale?',
      message: 'I would like to buy privacy.example.',
      website: '',
    }).expect(200)
    expect(sent.text).toContain('We have sent you a link to confirm your message.')
    const [confirmation] = await sink.waitFor((m) => m.to.includes('buyer@sender.example'))
    const mail = await simpleParser(confirmation!.raw)
    expect(mail.subject).toBe('Confirm your message to the registrant of privacy.example')
    const link = /https:\/\/rdap\.nic\.example\/contact\/confirm\/([A-Za-z0-9_-]+)/.exec(
      mail.text ?? '',
    )
    expect(link).not.toBeNull()
    await new Promise((r) => setTimeout(r, 300))
    expect(sink.received.slice(before).filter((m) => m.to.includes(REAL))).toEqual([])
    // the link opens a page with a button (a scanner that follows links confirms nothing)
    await request(t.app).get(`/contact/confirm/${link![1]}`).expect(200)
    const confirmed = await post(`/contact/confirm/${link![1]}`, {}).expect(200)
    expect(confirmed.text).toContain('your message is on its way')
    const [delivered] = await sink.waitFor(
      (m) => m.to.includes(REAL) && m.raw.includes('Is this domain for sale?'),
    )
    const relayed = await simpleParser(delivered!.raw)
    expect(relayed.replyTo?.value[0]?.address).toBe('buyer@sender.example')
    expect(relayed.text).toContain('I would like to buy privacy.example.')
    // a link works once
    await post(`/contact/confirm/${link![1]}`, {}).expect(404)
  })

  test('the honeypot sends nothing; bad fields are sentences; over the limit is 429', async () => {
    const before = sink.received.length
    await post('/contact/privacy.example?role=registrant', {
      email: 'robot@sender.example',
      subject: 'spam',
      message: 'spam',
      website: 'http://spam.example',
    }).expect(200)
    const bad = await post('/contact/privacy.example?role=registrant', {
      email: 'nope',
      subject: 's',
      message: 'm',
    }).expect(400)
    expect(bad.text).toContain('Give the e-mail address the confirmation should go to.')
    await request(t.app).get('/contact/privacy.example?role=owner').expect(400)
    await request(t.app).get('/contact/nosuch.example?role=registrant').expect(404)
    const fields = { email: 'eager@sender.example', subject: 'Hello', message: 'Hello again.' }
    await post('/contact/company.example?role=registrant', fields).expect(200)
    await post('/contact/company.example?role=technical', fields).expect(200)
    const over = await post('/contact/company.example?role=registrant', fields).expect(429)
    expect(over.text).toContain(
      'this sender has sent as many messages through the relay as it may for now',
    )
    await new Promise((r) => setTimeout(r, 500))
    expect(sink.received.slice(before).some((m) => m.to.includes('robot@sender.example'))).toBe(
      false,
    )
  })
})

describe('the contact relay in the running server (embedded demo)', () => {
  test('npm start relays to the demo registrant through SMTP_RELAY_URL; rdds contact list records it', async () => {
    const env = await isolatedEnv({
      SMTP_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
      LOG_LEVEL: 'info',
    })
    const server = await startServerProcess(env)
    try {
      expect(server.contactSmtpPort).toBeGreaterThan(0)
      const page = await fetch(`${server.base}/?q=privacy.example`).then((r) => r.text())
      const to = /mailto:([0-9a-f]{32}@anonymized\.nic\.example)/.exec(page)?.[1]
      // the page offers the form, the address is still given
      expect(page).toContain('/contact/privacy.example?role=registrant')
      expect(to).toBeDefined()
      expect(
        await send(server.contactSmtpPort!, to!, { subject: 'through the server' }),
      ).toMatchObject({ ok: true })
      const [m] = await sink.waitFor((r) => r.raw.includes('Subject: through the server'))
      expect(m!.to).toEqual([REAL])
      // the sink has the mail a moment before the server marks it sent
      let list = await runCli(env, 'contact', 'list', '--json')
      for (let i = 0; i < 10 && list.stdout.includes('"queued"'); i++) {
        list = await runCli(env, 'contact', 'list', '--json')
      }
      expect(list.code).toBe(0)
      const rows = JSON.parse(list.stdout) as Array<Record<string, unknown>>
      expect(rows[0]).toMatchObject({
        kind: 'relay',
        via: 'smtp',
        ldhName: 'privacy.example',
        role: 'registrant',
        sender: SENDER,
        state: 'sent',
      })
      expect(list.stdout).not.toContain(REAL)
      logLines.push(server.output())
    } finally {
      await server.stop()
    }
  }, 60_000)
})
