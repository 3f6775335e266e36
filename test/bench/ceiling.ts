// The ceiling: a minimal express 5 app that answers every domain lookup with one canned RDAP
// response of the real size. Nothing this stack serves can be faster on this machine.
import { readFileSync } from 'node:fs'
import express from 'express'

const [file, port] = process.argv.slice(2)
const canned = readFileSync(file!, 'utf8')
const app = express()
app.get('/rdap/domain/:name', (_req, res) => {
  res.setHeader('Content-Type', 'application/rdap+json')
  res.send(canned)
})
app.listen(Number(port), '127.0.0.1', () => process.stdout.write('ceiling listening\n'))
