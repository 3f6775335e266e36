import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { connect, type AddressInfo, type Server } from 'node:net'
import request from 'supertest'
import { createAuditLog } from '../../src/audit/disclosures.js'
import { createMetrics, metricsServer, type Metrics } from '../../src/metrics.js'
import { WHOIS_TERMS_OF_USE } from '../../src/whois/render.js'
import { createWhoisServer } from '../../src/whois/server.js'
import { startAccreditedApp, type TestApp } from '../helpers/app.js'
import { ENGINE, silentLog } from '../helpers/db.js'
import { PRIVACY_REGISTRANT_VALUES } from '../helpers/rdap.js'

let t: TestApp
let token: string
let metrics: Metrics
let whois: Server
let scrape: import('node:http').Server

beforeAll(async () => {
  metrics = createMetrics()
  ;({ t, token } = await startAccreditedApp({ metrics }))
  whois = createWhoisServer({
    reader: t.db.reader,
    policy: t.policy,
    audit: createAuditLog(t.db.primary),
    log: silentLog,
    termsOfUse: WHOIS_TERMS_OF_USE,
    metrics,
    limits: { maxConnectionsPerIp: 2 },
  })
  await new Promise<void>((resolve) => whois.listen(0, '127.0.0.1', resolve))
  scrape = metricsServer(metrics.registry)
  await new Promise<void>((resolve) => scrape.listen(0, '127.0.0.1', resolve))
})
afterAll(async () => {
  await new Promise((resolve) => whois.close(resolve))
  await new Promise((resolve) => scrape.close(resolve))
  await t.close()
})

function whoisQuery(line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect((whois.address() as AddressInfo).port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c) => chunks.push(c))
    socket.on('error', reject)
    // the server frees the connection's place when it sees the close too: give it a moment
    socket.on('close', () => setTimeout(() => resolve(Buffer.concat(chunks).toString()), 50))
    socket.write(`${line}\r\n`)
  })
}

const value = (text: string, line: string): number => {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `))
  return found ? Number(found.slice(line.length + 1)) : 0
}

test(`the metrics count requests, disclosures, audit appends and WHOIS, and hold nothing personal (${ENGINE})`, async () => {
  await request(t.app).get('/rdap/domain/privacy.example').expect(200)
  await request(t.app).get('/rdap/domain/privacy.example').expect(200)
  await request(t.app).get('/rdap/domain/nosuch.example').expect(404)
  await request(t.app)
    .get('/rdap/domain/privacy.example')
    .set('Authorization', `Bearer ${token}`)
    .expect(200)
  await request(t.app).get('/?q=privacy.example').expect(200)
  expect(await whoisQuery('privacy.example')).toContain('PRIVACY.EXAMPLE')
  expect(await whoisQuery('nosuch.example')).toContain('No match')
  // two connections per address: a third while two are held open is refused
  const held = [0, 1].map(() => connect((whois.address() as AddressInfo).port, '127.0.0.1'))
  await Promise.all(held.map((h) => new Promise((resolve) => h.once('connect', resolve))))
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(await whoisQuery('privacy.example')).toMatch(/too many connections/)
  for (const h of held) h.destroy()

  const res = await fetch(`http://127.0.0.1:${(scrape.address() as AddressInfo).port}/metrics`)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
  const text = await res.text()
  expect(
    value(
      text,
      'rdds_requests_total{protocol="rdap",query="domain",audience="public",status="200"}',
    ),
  ).toBe(2)
  expect(
    value(text, 'rdds_requests_total{protocol="rdap",query="domain",audience="none",status="404"}'),
  ).toBe(1)
  expect(
    value(
      text,
      'rdds_requests_total{protocol="rdap",query="domain",audience="accredited",status="200"}',
    ),
  ).toBe(1)
  expect(
    value(
      text,
      'rdds_requests_total{protocol="web",query="web_lookup",audience="public",status="200"}',
    ),
  ).toBe(1)
  expect(value(text, 'rdds_disclosures_total{audience="accredited:law-enforcement"}')).toBe(1)
  expect(value(text, 'rdds_audit_append_duration_seconds_count')).toBe(1)
  expect(value(text, 'rdds_audit_append_failures_total')).toBe(0)
  expect(
    value(
      text,
      'rdds_requests_total{protocol="whois",query="domain",audience="public",status="ok"}',
    ),
  ).toBe(1)
  expect(
    value(
      text,
      'rdds_requests_total{protocol="whois",query="domain",audience="public",status="not_found"}',
    ),
  ).toBe(1)
  expect(value(text, 'rdds_whois_connections_refused_total{reason="address"}')).toBe(1)
  expect(text).toMatch(
    /^rdds_request_duration_seconds_bucket\{le="0\.1",protocol="rdap",query="domain"\} \d+/m,
  )
  expect(text).toMatch(/^rdds_process_cpu_seconds_total \d/m)
  expect(text).toMatch(/^rdds_whois_connections_open \d/m)
  // no name, value or token in any label or line
  for (const v of [...PRIVACY_REGISTRANT_VALUES, 'privacy.example', 'nosuch', token.slice(0, 20)])
    expect(text).not.toContain(v)
})
