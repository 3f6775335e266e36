import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { hardenEdge } from '../../src/http/edge.js'
import { httpServerFor } from '../../src/http/node-server.js'
import { startTestApp, TEST_SITE, type TestApp } from '../helpers/app.js'

/** the server as it listens: what node answers before express, and the headers of every answer */
describe('the HTTP edge', () => {
  let t: TestApp
  let server: Server
  let port: number
  beforeAll(async () => {
    t = await startTestApp()
    server = httpServerFor(t.app)
    hardenEdge(server, TEST_SITE)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await t.close()
  })

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
          let body = ''
          res.on('data', (c) => (body += c))
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
        })
        req.on('error', reject)
        req.end()
      },
    )

  test('a 20 KB URL gets 431 with an RFC 9083 body, not an empty answer', async () => {
    const res = await get(`/rdap/domain/${'a'.repeat(20 * 1024)}.example`)
    expect(res.status).toBe(431)
    expect(res.headers['content-type']).toBe('application/rdap+json; charset=utf-8')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(JSON.parse(res.body)).toMatchObject({
      errorCode: 431,
      title: 'Request Header Fields Too Large',
      description: ['The request URL or headers are too large.'],
      notices: [expect.objectContaining({ title: 'Terms of Use' })],
    })
  })

  test('oversized headers get the same answer', async () => {
    const res = await get('/rdap/help', { 'x-padding': 'p'.repeat(20 * 1024) })
    expect(res.status).toBe(431)
    expect(JSON.parse(res.body)).toMatchObject({ errorCode: 431 })
  })

  test('every answer carries the security headers: a lookup, an error, help', async () => {
    for (const [path, status] of [
      ['/rdap/domain/privacy.example', 200],
      ['/rdap/domain/nosuch.example', 404],
      ['/rdap/help', 200],
      ['/nowhere', 404],
    ] as const) {
      const res = await get(path)
      expect(res.status).toBe(status)
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'referrer-policy': 'no-referrer',
      })
      expect(JSON.parse(res.body).rdapConformance).toContain('rdap_level_0')
    }
  })

  test('the timeouts are set: headers, the whole request, an idle kept-alive connection', () => {
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).toEqual([
      10000, 30000, 5000,
    ])
  })
})
