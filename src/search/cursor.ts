import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto'
import { AppError } from '../errors.js'

/**
 * RFC 8977 §2.4 cursors, sealed: AES-256-GCM over where the next page starts, bound to the query and
 * to the viewer. Opaque (the sort values inside may name objects) and tamper-evident: a cursor
 * changed, made for another query or another viewer, or too old, is refused with 400.
 */
export interface CursorState {
  /** the sort values of the last row served */
  readonly after: readonly (string | null)[]
  /** the number of the page this cursor opens (RFC 8977 pageNumber) */
  readonly page: number
}

export interface CursorSeal {
  seal(state: CursorState, binding: string, now: Date): string
  open(cursor: string, binding: string, now: Date): CursorState
}

const VERSION = 1
const MAX_AGE_MS = 60 * 60 * 1000
const IV_BYTES = 12
const TAG_BYTES = 16

/** a seal keyed from the server's secret; every process with the same secret reads the others' */
export function cursorSeal(secret: string): CursorSeal {
  const key = createHmac('sha256', secret).update('tiered-rdds search cursor').digest()
  // the binding is hashed in as additional data: never stored, yet a mismatch fails the tag
  const aad = (binding: string) => createHash('sha256').update(binding).digest()
  // each seal's random IV, cut from a pool drawn a few hundred at a time: one call for many pages
  let pool = Buffer.alloc(0)
  const nextIv = () => {
    if (pool.length < IV_BYTES) pool = randomBytes(IV_BYTES * 256)
    const iv = pool.subarray(0, IV_BYTES)
    pool = pool.subarray(IV_BYTES)
    return iv
  }
  return {
    seal(state, binding, now) {
      const iv = nextIv()
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(aad(binding))
      const plain = JSON.stringify({ v: VERSION, a: state.after, p: state.page, t: now.getTime() })
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')
    },
    open(cursor, binding, now) {
      const raw = /^[A-Za-z0-9_-]{1,2048}$/.test(cursor) ? Buffer.from(cursor, 'base64url') : null
      if (!raw || raw.length <= IV_BYTES + TAG_BYTES) throw invalid()
      let parsed: unknown
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES))
        decipher.setAAD(aad(binding))
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
        const plain = Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ])
        parsed = JSON.parse(plain.toString('utf8'))
      } catch {
        throw invalid()
      }
      const s = parsed as { v?: unknown; a?: unknown; p?: unknown; t?: unknown }
      if (
        s.v !== VERSION ||
        !Array.isArray(s.a) ||
        !s.a.every((x) => x === null || typeof x === 'string') ||
        typeof s.p !== 'number' ||
        typeof s.t !== 'number'
      )
        throw invalid()
      if (now.getTime() - s.t > MAX_AGE_MS)
        throw new AppError('BAD_REQUEST', 'The cursor has expired; run the search again.')
      return { after: s.a as (string | null)[], page: s.p }
    },
  }
}

const invalid = () =>
  new AppError(
    'BAD_REQUEST',
    'The cursor is not valid for this search (changed, or made for another).',
  )
