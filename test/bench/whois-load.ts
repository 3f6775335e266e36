// WHOIS load: `concurrency` clients, each opening one connection per query (as port-43 clients do),
// for `seconds`; prints a JSON summary and the latency histogram. Runs as its own process, beside
// the server.
import { connect } from 'node:net'
import { readFileSync } from 'node:fs'
import { formatHistogram } from './latency.js'

const [host, port, namesFile, seconds, concurrency] = process.argv.slice(2)
const names = readFileSync(namesFile!, 'utf8').split('\n').filter(Boolean)
const deadline = Date.now() + Number(seconds) * 1000
// whole microseconds → requests, as wrk counts them
const latencies = new Map<number, number>()
let errors = 0

function once(): Promise<void> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    const socket = connect(Number(port), host!)
    let bytes = 0
    socket.setNoDelay(true)
    socket.on('connect', () =>
      socket.write(`${names[Math.floor(Math.random() * names.length)]}\r\n`),
    )
    socket.on('data', (c) => (bytes += c.length))
    socket.on('error', () => {
      errors++
      resolve()
    })
    socket.on('close', () => {
      if (bytes > 0) {
        const us = Math.round(Number(process.hrtime.bigint() - started) / 1e3)
        latencies.set(us, (latencies.get(us) ?? 0) + 1)
      } else errors++
      resolve()
    })
  })
}

async function worker(): Promise<void> {
  while (Date.now() < deadline) await once()
}

const started = Date.now()
await Promise.all(Array.from({ length: Number(concurrency) }, worker))
const elapsed = (Date.now() - started) / 1000
let requests = 0
for (const count of latencies.values()) requests += count
process.stdout.write(`${JSON.stringify({ requests, seconds: elapsed, errors })}\n`)
process.stdout.write(`${formatHistogram(latencies)}\n`)
