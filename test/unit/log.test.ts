import { openSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { createLogger, flushLog, logDestination } from '../../src/log.js'

describe('flushLog', () => {
  test('lines logged while a write is in flight reach the file too', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'rdds-log-')), 'out.log')
    // an open descriptor, written as stdout is
    const destination = logDestination(openSync(file, 'w'))
    const log = createLogger({ LOG_LEVEL: 'info' }, destination)
    log.info('first')
    log.flush() // starts an asynchronous write
    log.info('second') // logged while that write is in flight, below the batch's mark
    await flushLog(log)
    const lines = (await readFile(file, 'utf8')).trim().split('\n')
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['first', 'second'])
    destination.end()
  })

  test('lines longer than a batch, multi-byte text in them, arrive whole and in order', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'rdds-log-')), 'out.log')
    const destination = logDestination(openSync(file, 'w'))
    const log = createLogger({ LOG_LEVEL: 'info' }, destination)
    const text = (i: number) => `${'Sveavägen '.repeat(i % 5 === 0 ? 2000 : 10)}${i}`
    for (let i = 0; i < 40; i++) log.info({ i, text: text(i) }, 'line')
    await flushLog(log)
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.i)).toEqual([...Array(40).keys()])
    expect(lines.every((l) => l.text === text(l.i))).toBe(true)
    destination.end()
  })
})
