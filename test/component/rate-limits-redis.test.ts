import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { isolatedEnv, startServerProcess, type ServerProcess } from '../helpers/processes.js'

/**
 * Two server processes share one budget through Redis, and keep serving when Redis goes away. The
 * test runs a Redis of its own (so it can stop it): `redis-server` must be installed, as `.ci/run`
 * makes sure; on a machine without it the test says so and is skipped.
 */
const hasRedis = spawnSync('redis-server', ['--version']).status === 0
if (!hasRedis) {
  if (process.env.CI) throw new Error('redis-server is missing: .ci/run should have installed it')
  process.stderr.write(
    'rate-limits-redis.test.ts: redis-server is not installed (apt-get install redis-server); the shared rate-limit test is skipped\n',
  )
}

function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`redis did not start:\n${out}`)), 10000)
    redis.stdout!.on('data', (c) => {
      out += c
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer)
        resolve(redis)
      }
    })
  })
}

const stop = (p: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (p.exitCode !== null) return resolve()
    p.once('exit', () => resolve())
    p.kill('SIGKILL')
  })

;(hasRedis ? describe : describe.skip)('rate limits shared through Redis', () => {
  const port = 21000 + Math.floor(Math.random() * 20000)
  let redis: ChildProcess
  let a: ServerProcess
  let b: ServerProcess
  beforeAll(async () => {
    redis = await startRedis(port)
    const env = { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_PUBLIC: '4/60' }
    ;[a, b] = await Promise.all([
      startServerProcess(await isolatedEnv(env)),
      startServerProcess(await isolatedEnv(env)),
    ])
  }, 60000)
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    if (redis) await stop(redis)
  })

  const status = (s: ServerProcess) => fetch(`${s.base}/rdap/help`).then((r) => r.status)

  test('two processes spend one budget; with Redis gone both keep serving; then share again', async () => {
    expect([await status(a), await status(b), await status(a), await status(b)]).toEqual([
      200, 200, 200, 200,
    ])
    expect([await status(a), await status(b)]).toEqual([429, 429])

    await stop(redis)
    const during = []
    for (let i = 0; i < 3; i++) during.push(await status(a), await status(b))
    expect(during).toEqual(Array(6).fill(200)) // each process counts alone; never a 5xx
    expect([a.child.exitCode, b.child.exitCode]).toEqual([null, null])

    redis = await startRedis(port)
    // the client retries every 2 s at most; the log says so when it is back (written at exit)
    await new Promise((r) => setTimeout(r, 3000))
    expect([await status(a), await status(b), await status(a), await status(b)]).toEqual([
      200, 200, 200, 200,
    ])
    expect(await status(a)).toBe(429)
    await Promise.all([a.stop(), b.stop()])
    for (const s of [a, b]) {
      expect(s.output()).toMatch(/Redis unavailable: rate limits are counted per process/)
      expect(s.output()).toMatch(/Redis is back: rate limits are shared again/)
    }
  }, 60000)
})
