import type { AddressInfo } from 'node:net'
import type { IncomingMessage, Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import express, { type Express } from 'express'
import request from 'supertest'
import { httpServerFor } from '../../src/http/node-server.js'
import { startTestApp, type TestApp } from '../helpers/app.js'

function listening(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  )
}

function closed(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

describe('the HTTP server of an express app', () => {
  let app: Express
  let server: Server
  let base: string
  const arrivedWith: object[] = []

  beforeAll(async () => {
    app = express()
    app.set('query parser', 'simple')
    app.get('/echo/:name', (req, res) => {
      res.locals.seen = req.params.name
      res
        .status(201)
        .set('X-Seen', String(res.locals.seen))
        .json({
          name: req.params.name,
          q: req.query.q ?? null,
          header: req.get('x-test') ?? null,
          protocol: req.protocol,
          sameApp: req.app === app && res.app === app,
          prototypeKept: Object.getPrototypeOf(req) === arrivedWith.at(-1),
        })
    })
    server = httpServerFor(app)
    // what express is handed, before it touches the request
    server.prependListener('request', (req: IncomingMessage) => {
      arrivedWith.push(Object.getPrototypeOf(req))
    })
    base = await listening(server)
  })

  afterAll(() => closed(server))

  test('when a request arrives, then it already has the prototype express gives it', async () => {
    const res = await fetch(`${base}/echo/x`)
    expect(res.status).toBe(201)
    expect(arrivedWith.at(-1)).toBe(app.request)
    expect(((await res.json()) as { prototypeKept: boolean }).prototypeKept).toBe(true)
  })

  test("when express's request and response members are used, then they work as without it", async () => {
    const res = await fetch(`${base}/echo/caf%C3%A9?q=1`, { headers: { 'X-Test': 'yes' } })
    expect(res.status).toBe(201)
    expect(res.headers.get('x-seen')).toBe('café')
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({
      name: 'café',
      q: '1',
      header: 'yes',
      protocol: 'http',
      sameApp: true,
      prototypeKept: true,
    })
  })
})

// the response time, read per response, may cross a second between the two answers
const withoutClock = (body: string): string =>
  body.replace(/("eventAction":"last update of RDAP database","eventDate":)"[^"]*"/g, '$1"…"')

describe('the RDAP app behind that server', () => {
  let t: TestApp
  let server: Server
  let base: string

  beforeAll(async () => {
    t = await startTestApp()
    server = httpServerFor(t.app)
    base = await listening(server)
  })

  afterAll(async () => {
    await closed(server)
    await t.close()
  })

  test.each(['/rdap/domain/privacy.example', '/rdap/help', '/rdap/domain/nope.example', '/x'])(
    'when %s is asked, then the answer is the one express gives on its own',
    async (path) => {
      const viaServer = await fetch(`${base}${path}`)
      const alone = await request(t.app).get(path)
      expect(viaServer.status).toBe(alone.status)
      expect(viaServer.headers.get('content-type')).toBe(alone.headers['content-type'])
      expect(viaServer.headers.get('cache-control')).toBe(alone.headers['cache-control'])
      expect(viaServer.headers.get('access-control-allow-origin')).toBe('*')
      expect(withoutClock(await viaServer.text())).toBe(withoutClock(alone.text))
    },
  )
})
