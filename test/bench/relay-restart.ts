// The outbox across a crash: messages accepted while the outbound relay is down, the server killed
// (SIGKILL), a new server started, the relay back: each message must arrive once.
//   DATABASE_URL=… npx tsx test/bench/relay-restart.ts [messages=200]
// Needs a database that outlives the process: PostgreSQL, or PGLITE_DIR.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTransport } from 'nodemailer'
import { isolatedEnv, startServerProcess } from '../helpers/processes.js'
import { SmtpSink } from '../helpers/smtp.js'

const MESSAGES = Number(process.argv[2] ?? 200)
const sink = await new SmtpSink().start()
const port = sink.port
await sink.stop()
const env = await isolatedEnv({
  SMTP_RELAY_URL: `smtp://127.0.0.1:${port}`,
  CONTACT_RETRY_SECONDS: '1',
  CONTACT_SENDER_LIMITS: '1000000,1000000',
  CONTACT_RECIPIENT_LIMITS: '1000000,1000000',
  ...(process.env.DATABASE_URL
    ? { DATABASE_URL: process.env.DATABASE_URL, DEMO: 'true' }
    : { PGLITE_DIR: join(await mkdtemp(join(tmpdir(), 'rdds-relay-')), 'db') }),
})
const first = await startServerProcess(env)
const page = await fetch(`${first.base}/?q=privacy.example`).then((r) => r.text())
const to = page.match(/[0-9a-f]{32}@anonymized\.nic\.example/)![0]
const client = createTransport({
  host: '127.0.0.1',
  port: first.contactSmtpPort!,
  ignoreTLS: true,
  pool: true,
  maxConnections: 8,
})
await Promise.all(
  Array.from({ length: MESSAGES }, (_, i) =>
    client.sendMail({ from: 'load@sender.example', to, subject: `crash ${i}`, text: 'kept?' }),
  ),
)
client.close()
first.child.kill('SIGKILL')
await first.exited
const killedAt = Date.now()
sink.port = port
await sink.start()
const second = await startServerProcess(env)
try {
  await sink.waitFor((m) => m.raw.includes('Subject: crash '), MESSAGES, 300_000)
  await new Promise((r) => setTimeout(r, 3000)) // a second copy would come now
  const subjects = sink.received.map((m) => /Subject: (crash \d+)/.exec(m.raw)?.[1])
  console.log(
    JSON.stringify({
      accepted_before_the_kill: MESSAGES,
      delivered_after_the_restart: subjects.length,
      distinct: new Set(subjects).size,
      seconds_from_kill_to_last: (Date.now() - killedAt - 3000) / 1000,
    }),
  )
} finally {
  await second.stop()
  await sink.stop()
}
