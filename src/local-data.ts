import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Files this server keeps for itself in DATA_DIR (git-ignored): created on first use, owner-only.
 * Reads an existing file, else writes what make() returns; a racing writer loses to the first.
 */
export async function ensureLocalFile(
  dataDir: string,
  name: string,
  make: () => Promise<string> | string,
): Promise<string> {
  const file = join(dataDir, name)
  try {
    return await readFile(file, 'utf8')
  } catch {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 })
    try {
      await writeFile(file, await make(), { mode: 0o600, flag: 'wx' })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    return readFile(file, 'utf8')
  }
}

/** the HMAC key behind anonymized addresses: ANONYMIZE_SECRET, else one generated into DATA_DIR */
export async function anonymizeSecret(config: {
  ANONYMIZE_SECRET?: string | undefined
  DATA_DIR: string
}): Promise<string> {
  if (config.ANONYMIZE_SECRET) return config.ANONYMIZE_SECRET
  return (
    await ensureLocalFile(config.DATA_DIR, 'anonymize.key', () => randomBytes(32).toString('hex'))
  ).trim()
}
