import { readFile, writeFile } from 'node:fs/promises'
import { expect, test } from '@jest/globals'
import { z } from 'zod'
import { PolicyFile } from '../../../src/policy/schema.js'

test('the committed policies/policy.schema.json is the one generated from the zod schema', async () => {
  const generated = `${JSON.stringify(z.toJSONSchema(PolicyFile, { io: 'input' }), null, 2)}\n`
  if (process.env.UPDATE_GOLDEN === '1') await writeFile('policies/policy.schema.json', generated)
  expect(await readFile('policies/policy.schema.json', 'utf8')).toBe(generated)
})
