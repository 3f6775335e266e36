import { readdir } from 'node:fs/promises'
import { describe, expect, test } from '@jest/globals'
import { loadPolicy } from '../src/policy/load.js'
import { readSuite, runSuite } from '../src/policy/suite.js'

const shipped = (await readdir('policies'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -5))

test('every shipped policy has its own test suite', async () => {
  const suites = await readdir('policies/tests')
  expect(shipped.sort()).toEqual(['calzone', 'rdp-2025', 'temp-spec', 'thick-whois'])
  for (const name of shipped) expect(suites).toContain(`${name}_test.yaml`)
})

// top-level await: the cases are data, so they are read before jest collects the tests
const runs = await Promise.all(
  shipped.map(async (name) => {
    const policy = await loadPolicy(name, { dir: 'policies', secret: 'suite-secret-0123456789' })
    return { name, results: runSuite(policy, await readSuite(`policies/tests/${name}_test.yaml`)) }
  }),
)

for (const { name, results } of runs) {
  describe(`policies/tests/${name}_test.yaml`, () => {
    for (const result of results) {
      test(result.name, () => {
        expect(result.failures).toEqual([])
      })
    }
  })
}
