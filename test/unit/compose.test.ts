import { readFile } from 'node:fs/promises'
import { expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { demoEnabled, loadConfig } from '../../src/config.js'

/** docker-compose.yml cannot be run here (no Docker engine); what it gives the app can be checked */
test('the compose file gives the app a valid configuration, its secret from outside the file', async () => {
  const compose = parse(await readFile('docker-compose.yml', 'utf8')) as {
    services: { app: { environment: Record<string, string> } }
  }
  const env = compose.services.app.environment
  expect(env.ANONYMIZE_SECRET).toMatch(/^\$\{ANONYMIZE_SECRET:\?/)
  // compose's substitution: ${X:-default} takes the default, ${X:?message} a value from .env
  const substituted = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v)
        .replace(/\$\{\w+:-([^}]*)\}/g, '$1')
        .replace(/\$\{\w+:\?[^}]*\}/g, 'a-secret-from-the-env-file-0123456789'),
    ]),
  )
  const config = loadConfig(substituted)
  expect(config.DATABASE_URL).toMatch(/^postgresql:\/\/rdds:rdds@postgres:5432\/rdds$/)
  expect(config.DEMO).toBe('true') // asked for by name, as the demo it is
  expect(demoEnabled(config)).toBe(true)
  expect(demoEnabled({ ...config, DEMO: undefined })).toBe(false) // never by default on a server
  // the contact relay listens where port 25 is mapped, and sends through a relay given outside
  expect(config.CONTACT_SMTP_PORT).toBe(2525)
  expect(config.SMTP_RELAY_URL).toMatch(/^smtp:\/\//)
  const ports = (compose.services.app as unknown as { ports: string[] }).ports
  expect(ports).toContain('25:2525')
})
