import { readFile, writeFile } from 'node:fs/promises'
import { expect } from '@jest/globals'

/** compares with test/golden/<name>; UPDATE_GOLDEN=1 rewrites the file instead */
export async function expectGolden(name: string, actual: string): Promise<void> {
  const file = new URL(`../golden/${name}`, import.meta.url)
  if (process.env.UPDATE_GOLDEN === '1') {
    await writeFile(file, actual)
    return
  }
  const expected = await readFile(file, 'utf8')
  expect(actual).toBe(expected)
}
