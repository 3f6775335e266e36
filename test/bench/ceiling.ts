// The ceiling: a minimal express 5 app that answers every domain lookup with one canned RDAP
// response of the real size. Nothing this stack serves can be faster on this machine. With
// `prototypes` it is served as the server is (src/http/node-server.ts): requests and responses
// made with the app's prototypes, so that express need not swap them.
import { readFileSync } from 'node:fs'
import express from 'express'
import { httpServerFor } from '../../src/http/node-server.js'

const [file, port, served] = process.argv.slice(2)
const canned = readFileSync(file!, 'utf8')
const app = express()
app.get('/rdap/domain/:name', (_req, res) => {
  res.setHeader('Content-Type', 'application/rdap+json')
  res.send(canned)
})
const server = served === 'prototypes' ? httpServerFor(app) : app
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ceiling listening\n'))
