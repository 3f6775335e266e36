// The WHOIS ceiling: a port-43 server that answers every query line with one canned response of
// the real size and closes, as the real one does. Nothing port 43 serves can be faster here.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

const [file, port] = process.argv.slice(2)
const canned = readFileSync(file!, 'utf8')
createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => socket.destroy())
  socket.on('data', (chunk: Buffer) => {
    if (chunk.includes(0x0a)) socket.end(canned)
  })
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('whois ceiling listening\n'))
