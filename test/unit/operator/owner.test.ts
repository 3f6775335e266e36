import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@jest/globals'
import { claimOwnership, currentOwner } from '../../../src/operator/owner.js'

const aFile = async () => join(await mkdtemp(join(tmpdir(), 'rdds-owner-')), 'rdds-owner.json')

test('a second claim is refused naming the owner; after release the folder can be claimed again', async () => {
  const file = await aFile()
  const first = await claimOwnership(file, 'server', '/srv/db')
  await first.update({ httpPort: 8080 })
  await expect(claimOwnership(file, 'seed', '/srv/db')).rejects.toThrow(
    `the embedded database /srv/db is in use by a server (HTTP port 8080), process ${process.pid} on ${hostname()}`,
  )
  expect(await currentOwner(file)).toMatchObject({ pid: process.pid, role: 'server' })
  await first.release()
  expect(await currentOwner(file)).toBeUndefined()
  const second = await claimOwnership(file, 'seed', '/srv/db')
  expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ role: 'seed' })
  await second.release()
})

test('a name left by a process that died is not an owner, and is taken over', async () => {
  const file = await aFile()
  const dead = { pid: 2 ** 22 + 7, host: hostname(), role: 'server', since: 'then', database: 'x' }
  await writeFile(file, JSON.stringify(dead))
  expect(await currentOwner(file)).toBeUndefined()
  const claimed = await claimOwnership(file, 'server', 'x')
  expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid })
  await claimed.release()
})
