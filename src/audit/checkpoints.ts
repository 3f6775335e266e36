import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto'
import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'
import { ensureLocalFile } from '../local-data.js'
import type { Queryable } from '../storage/db.js'

/**
 * A signed statement of the disclosure log's head, kept outside the table (a file, and a log line
 * for a log shipper): rows that a later reader no longer finds, or finds changed, were removed or
 * rewritten after it was made.
 */
export interface Checkpoint {
  /** rows in the log, all with ids up to lastId */
  readonly rows: number
  /** the last row's id; 0 for an empty log */
  readonly lastId: number
  /** the last row's hash; the genesis hash for an empty log */
  readonly head: string
  readonly at: string
  /** which key signed it: the first 16 hex digits of the SHA-256 of its public key */
  readonly key: string
  /** Ed25519 over the fields above (signedText) */
  readonly sig: string
}

const CheckpointLine = z.object({
  rows: z.number().int().min(0),
  lastId: z.number().int().min(0),
  head: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.iso.datetime(),
  key: z.string().regex(/^[0-9a-f]{16}$/),
  sig: z.string().min(1),
})

export interface CheckpointSigner {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  readonly keyId: string
}

const KEY_FILE = 'audit-checkpoint-key.pem'
const PUBLIC_KEY_FILE = 'audit-checkpoint-key.pub.pem'

/**
 * The checkpoint key: AUDIT_CHECKPOINT_KEY (an Ed25519 private key, PEM), else one generated into
 * DATA_DIR on first use. Its public half is written beside it, for whoever verifies copies elsewhere.
 */
export async function checkpointSigner(config: {
  readonly DATA_DIR: string
  readonly AUDIT_CHECKPOINT_KEY?: string | undefined
}): Promise<CheckpointSigner> {
  const pem =
    config.AUDIT_CHECKPOINT_KEY ??
    (await ensureLocalFile(config.DATA_DIR, KEY_FILE, () =>
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ))
  const privateKey = createPrivateKey(pem)
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error('the audit checkpoint key must be an Ed25519 private key')
  const publicKey = createPublicKey(privateKey)
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  await ensureLocalFile(config.DATA_DIR, PUBLIC_KEY_FILE, () => publicPem)
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) }
}

function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('hex').slice(0, 16)
}

const signedText = (c: Omit<Checkpoint, 'key' | 'sig'>) =>
  `tiered-rdds audit checkpoint\n${c.rows}\n${c.lastId}\n${c.head}\n${c.at}`

/** reads the log's head and signs it; one statement, so count, id and hash agree */
export async function takeCheckpoint(
  db: Queryable,
  signer: CheckpointSigner,
  now = new Date(),
): Promise<Checkpoint> {
  const [row] = await db.query<{ rows: number; last_id: number | null; head: string | null }>(
    `select count(*)::int as rows, max(id)::int as last_id,
            (select hash from disclosures order by id desc limit 1) as head
       from disclosures`,
  )
  const body = {
    rows: Number(row?.rows ?? 0),
    lastId: Number(row?.last_id ?? 0),
    head: row?.head ?? '0'.repeat(64),
    at: now.toISOString(),
  }
  const sig = sign(null, Buffer.from(signedText(body)), signer.privateKey).toString('base64url')
  return { ...body, key: signer.keyId, sig }
}

/** appends one checkpoint as a JSON line (the file owner-only) */
export async function saveCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  await appendFile(file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 })
}

export interface ReadCheckpoints {
  readonly checkpoints: readonly Checkpoint[]
  /** lines that are not checkpoints, or whose signature does not hold: each one a problem */
  readonly problems: readonly string[]
}

/** the checkpoints of a file whose signature holds under `publicKey`; the rest are problems */
export async function readCheckpoints(
  file: string,
  publicKey: KeyObject,
): Promise<ReadCheckpoints> {
  const text = await readFile(file, 'utf8')
  const keyId = keyIdOf(publicKey)
  const checkpoints: Checkpoint[] = []
  const problems: string[] = []
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return
    const where = `${file}:${i + 1}`
    let parsed: z.ZodSafeParseResult<Checkpoint>
    try {
      parsed = CheckpointLine.safeParse(JSON.parse(line))
    } catch {
      problems.push(`${where}: not a checkpoint (not JSON)`)
      return
    }
    const c = parsed.success ? parsed.data : undefined
    if (!c) problems.push(`${where}: not a checkpoint`)
    else if (c.key !== keyId)
      problems.push(`${where}: signed by another key (${c.key}), not checked`)
    else if (!verify(null, Buffer.from(signedText(c)), publicKey, Buffer.from(c.sig, 'base64url')))
      problems.push(`${where}: the signature does not hold (the checkpoint was altered)`)
    else checkpoints.push(c)
  })
  return { checkpoints, problems }
}

/**
 * Compares the rows of the log, read in id order, with checkpoints: each checkpoint's last row must
 * still be there with the hash it recorded, and as many rows up to it as it counted.
 */
export function checkpointComparison(checkpoints: readonly Checkpoint[]) {
  const sorted = [...checkpoints].sort((a, b) => a.lastId - b.lastId)
  const wanted = new Set(sorted.map((c) => c.lastId))
  const countUpTo = new Map<number, number>()
  const hashOf = new Map<number, string>()
  let next = 0
  let seen = 0
  let lastId = 0
  return {
    /** each row of the log, in id order */
    see(row: { readonly id: number; readonly hash: string }): void {
      for (; next < sorted.length && sorted[next]!.lastId < row.id; next++)
        countUpTo.set(sorted[next]!.lastId, seen)
      if (wanted.has(row.id)) hashOf.set(row.id, row.hash)
      seen++
      lastId = row.id
    },
    /** what the checkpoints say is wrong, once every row has been seen */
    problems(): string[] {
      for (; next < sorted.length; next++) countUpTo.set(sorted[next]!.lastId, seen)
      const problems: string[] = []
      const latest = sorted.filter((c) => c.rows > 0).at(-1)
      if (latest && seen === 0)
        problems.push(
          `the log is empty, but the checkpoint of ${latest.at} counted ${latest.rows} rows up to row ${latest.lastId}: it was truncated`,
        )
      else if (latest && lastId < latest.lastId)
        problems.push(
          `rows missing at the end: the checkpoint of ${latest.at} counted ${latest.rows} rows up to row ${latest.lastId}; the log ends at row ${lastId}`,
        )
      const reported = new Set<string>()
      for (const c of sorted) {
        if (c.rows === 0 || c.lastId > lastId) continue
        const hash = hashOf.get(c.lastId)
        const found = countUpTo.get(c.lastId) ?? 0
        const problem =
          hash === undefined
            ? `row ${c.lastId}: missing, though the checkpoint of ${c.at} ends at it`
            : hash !== c.head
              ? `row ${c.lastId}: rewritten since the checkpoint of ${c.at} (its hash is not the one recorded)`
              : found !== c.rows
                ? `rows up to ${c.lastId}: ${found} where the checkpoint of ${c.at} counted ${c.rows}`
                : undefined
        // one line per row concerned: a checkpoint a minute would repeat it for every minute since
        const row = problem?.split(':')[0]
        if (problem && row && !reported.has(row)) {
          reported.add(row)
          problems.push(problem)
        }
      }
      return problems
    },
  }
}
