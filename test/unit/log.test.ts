import { openSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { pino } from 'pino'
import { createLogger, flushLog } from '../../src/log.js'

describe('flushLog', () => {
  test('lines logged while a write is in flight reach the file too', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'rdds-log-')), 'out.log')
    // an open descriptor, written asynchronously in 4 KiB batches: as stdout is
    const destination = pino.destination({
      dest: openSync(file, 'w'),
      sync: false,
      minLength: 4096,
    })
    const log = createLogger({ LOG_LEVEL: 'info' }, destination)
    log.info('first')
    log.flush() // starts an asynchronous write
    log.info('second') // logged while that write is in flight, below the 4 KiB mark
    await flushLog(log)
    const lines = (await readFile(file, 'utf8')).trim().split('\n')
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['first', 'second'])
    destination.end()
  })
})
