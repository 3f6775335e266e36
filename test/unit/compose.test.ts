import { readFile } from 'node:fs/promises'
import { expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { demoEnabled, loadConfig } from '../../src/config.js'

/** docker-compose.yml cannot be run here (no Docker engine); what it gives the app can be checked */
test('the compose file gives each app instance a valid configuration, behind a proxy that checks /readyz', async () => {
  const compose = parse(await readFile('docker-compose.yml', 'utf8'), { merge: true }) as {
    services: Record<
      string,
      { environment?: Record<string, string>; ports?: string[]; volumes?: string[] }
    >
  }
  for (const name of ['app1', 'app2']) {
    const env = compose.services[name]!.environment!
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
    expect(config).toMatchObject({
      WORKERS: 'auto',
      REDIS_URL: 'redis://redis:6379',
      METRICS_PORT: 9100,
      CONTACT_SMTP_PORT: 2525,
      TRUST_PROXY: 'uniquelocal',
    })
    expect(config.CACHE_ENTRIES).toBeGreaterThan(0)
    expect(config.SMTP_RELAY_URL).toMatch(/^smtp:\/\//)
    expect(compose.services[name]!.volumes).toContain('appdata:/data')
  }
  expect(compose.services.proxy!.ports).toEqual(['8080:8080', '43:43', '25:25'])
  const haproxy = await readFile('deploy/haproxy.cfg', 'utf8')
  expect(haproxy.match(/option httpchk GET \/readyz/g)).toHaveLength(3)
  for (const target of [
    'app1:8080',
    'app2:8080',
    'app1:4343',
    'app2:4343',
    'app1:2525',
    'app2:2525',
  ])
    expect(haproxy).toContain(`server ${target.split(':')[0]} ${target} check`)
})
