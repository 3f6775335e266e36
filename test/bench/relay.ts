// The contact relay under load: parallel SMTP clients send to the demo's anonymized addresses
// through the server (a separate process, as `npm start` runs it), which relays to a sink on
// loopback standing for the outbound relay. Reports messages accepted and relayed per second.
//   npx tsx test/bench/relay.ts [messages=2000] [connections=16]
// On PostgreSQL with DATABASE_URL (its demo is loaded into an empty schema), else embedded.
import { createTransport } from 'nodemailer'
import { isolatedEnv, startServerProcess } from '../helpers/processes.js'
import { SmtpSink } from '../helpers/smtp.js'

const MESSAGES = Number(process.argv[2] ?? 2000)
const CONNECTIONS = Number(process.argv[3] ?? 16)

const sink = await new SmtpSink().start()
const env = await isolatedEnv({
  SMTP_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
  // the load comes from one sender to a few contacts: the abuse limits would stop it at once
  CONTACT_SENDER_LIMITS: '1000000,1000000',
  CONTACT_RECIPIENT_LIMITS: '1000000,1000000',
  ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, DEMO: 'true' } : {}),
})
const server = await startServerProcess(env)
try {
  const names = ['privacy.example', 'company.example', 'xn--bcher-kva.example', 'signed.example']
  const addresses: string[] = []
  for (const name of names) {
    const page = await fetch(`${server.base}/?q=${name}`).then((r) => r.text())
    addresses.push(...new Set(page.match(/[0-9a-f]{32}@anonymized\.nic\.example/g) ?? []))
  }
  const client = createTransport({
    host: '127.0.0.1',
    port: server.contactSmtpPort!,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: Infinity,
  })
  const body = 'A message of a realistic length. '.repeat(60)
  const started = Date.now()
  let refused = 0
  await Promise.all(
    Array.from({ length: MESSAGES }, (_, i) =>
      client
        .sendMail({
          from: 'load@sender.example',
          to: addresses[i % addresses.length],
          subject: `load ${i}`,
          text: body,
        })
        .catch(() => {
          refused++
        }),
    ),
  )
  const accepted = (Date.now() - started) / 1000
  await sink.waitFor(() => true, MESSAGES - refused, 600_000)
  const relayed = (Date.now() - started) / 1000
  client.close()
  console.log(
    JSON.stringify({
      messages: MESSAGES,
      connections: CONNECTIONS,
      refused,
      bytes: body.length,
      accepted_per_second: Math.round((MESSAGES - refused) / accepted),
      relayed_per_second: Math.round((MESSAGES - refused) / relayed),
      seconds_to_accept: accepted,
      seconds_to_relay: relayed,
      database: process.env.DATABASE_URL ? 'postgres' : 'embedded',
    }),
  )
} finally {
  await server.stop()
  await sink.stop()
}
