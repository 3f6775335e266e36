import type { Readable } from 'node:stream'
import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes'
import { z } from 'zod'
import { OBJECT_SCHEMAS, OBJECT_URIS, type ObjectKind } from './objects.js'

// RFC 8909 (the deposit container) and RFC 9022 (the registry's objects), read as a stream: each
// object's element is gathered into a small tree, turned into the same plain object the ingest API
// takes, and checked with its zod schema. Nothing but the current object is held in memory.

const RDE = 'urn:ietf:params:xml:ns:rde-1.0'
const HEADER = 'urn:ietf:params:xml:ns:rdeHeader-1.0'
/** this server's deposit extension: what EPP has no element for (legal person, abuse contact) */
export const RDDS_NS = 'tag:tiered-rdds,2026:deposit-1.0'

const OBJECT_ELEMENTS: Record<string, ObjectKind> = {
  [`${OBJECT_URIS.domain} domain`]: 'domain',
  [`${OBJECT_URIS.host} host`]: 'host',
  [`${OBJECT_URIS.contact} contact`]: 'contact',
  [`${OBJECT_URIS.registrar} registrar`]: 'registrar',
  [`${OBJECT_URIS.idnTable} idnTableRef`]: 'idnTable',
  [`${OBJECT_URIS.nndn} NNDN`]: 'nndn',
}
/** RFC 9022 namespaces whose unknown elements are mistakes, not extensions */
const KNOWN_NAMESPACES = new Set([
  RDE,
  HEADER,
  RDDS_NS,
  ...Object.values(OBJECT_URIS),
  'urn:ietf:params:xml:ns:domain-1.0',
  'urn:ietf:params:xml:ns:host-1.0',
  'urn:ietf:params:xml:ns:contact-1.0',
  'urn:ietf:params:xml:ns:secDNS-1.1',
])

const BATCH = 1000

/** where a problem is: a line and a column of the deposit (both one-based) */
export interface Position {
  readonly line: number
  readonly col: number
}

export class DepositError extends Error {
  constructor(
    message: string,
    readonly at?: Position,
  ) {
    super(message)
    this.name = 'DepositError'
  }
}

export interface DepositHeader {
  readonly type: 'FULL' | 'DIFF'
  readonly id: string
  readonly watermark?: string
  readonly tlds: string[]
  /** object kind -> the count the header gives */
  readonly counts: Partial<Record<ObjectKind, number>>
  /** where the header starts */
  readonly at?: Position
}

/** what the reader hands on, in document order */
export type DepositItem =
  | {
      readonly type: 'object'
      readonly kind: ObjectKind
      readonly object: unknown
      readonly at: Position
    }
  | {
      readonly type: 'delete'
      readonly kind: ObjectKind
      readonly key: string
      readonly at: Position
    }
  | {
      readonly type: 'extra'
      readonly of: 'contact' | 'registrar'
      readonly key: string
      readonly fields: Record<string, string>
      readonly at: Position
    }

export interface ReadHandlers {
  /** called with the items read, a batch at a time; the reader waits for it before reading on */
  items(items: DepositItem[]): Promise<void>
  /** an element of an extension this server does not read (e.g. rdeEppParams), by qualified name */
  extension(name: string): void
  /** compressed bytes read so far */
  progress?(bytes: number): void
}

interface Node {
  readonly uri: string
  readonly local: string
  readonly attrs: Record<string, string>
  readonly children: Node[]
  text: string
  readonly at: Position
}

/** reads a deposit from `input` (text), calling the handlers; throws DepositError at the first problem */
export async function readDeposit(
  input: Readable,
  handlers: ReadHandlers,
  countBytes?: () => number,
): Promise<DepositHeader> {
  const parser = new SaxesParser({ xmlns: true, position: true })
  let failure: DepositError | undefined
  const fail = (message: string, at: Position = here()) => {
    failure ??= new DepositError(message, at)
  }
  const here = (): Position => ({ line: parser.line, col: parser.column + 1 })
  parser.on('error', (err) => {
    // saxes puts "line:col: " before its message
    fail(err.message.replace(/^\d+:\d+: /, ''))
  })

  let header: Omit<DepositHeader, 'tlds' | 'counts' | 'at'> | undefined
  let headerAt: Position | undefined
  const tlds: string[] = []
  const counts: Partial<Record<ObjectKind, number>> = {}
  let items: DepositItem[] = []
  const path: string[] = [] // the local names of the elements open outside the current object
  let section: 'contents' | 'deletes' | undefined
  let stack: Node[] = [] // the object being gathered, outermost first
  let skipping = 0 // depth inside an extension element

  parser.on('opentag', (tag) => {
    if (failure) return
    const t = tag as SaxesTagNS
    const uri = t.uri
    const local = t.local
    const at = here()
    if (skipping > 0) {
      skipping++
      return
    }
    if (stack.length > 0) {
      // an extension inside an object (rgp:rgpStatus, a registry's own): counted, not read
      if (!KNOWN_NAMESPACES.has(uri)) return extension(t)
      const node: Node = { uri, local, attrs: attributesOf(t), children: [], text: '', at }
      stack[stack.length - 1]!.children.push(node)
      stack.push(node)
      return
    }
    const depth = path.length
    if (depth === 0) {
      if (uri !== RDE || local !== 'deposit')
        return fail(`the document is not an RFC 8909 deposit (found <${t.name}>)`, at)
      const type = attributeOf(t, 'type')
      const id = attributeOf(t, 'id')
      if (type !== 'FULL' && type !== 'DIFF')
        return fail(`the deposit type must be FULL or DIFF (found "${type ?? ''}")`, at)
      if (!id) return fail('the deposit has no id', at)
      header = { type, id }
    } else if (depth === 1) {
      if (uri !== RDE) return extension(t)
      if (local === 'contents' || local === 'deletes') section = local
      else if (local !== 'watermark' && local !== 'rdeMenu')
        return fail(`unexpected element <${t.name}> in the deposit`, at)
    } else if (depth === 2 && section === 'contents') {
      if (uri === HEADER && local === 'header') {
        headerAt = at
        path.push(local)
        return
      }
      const kind = OBJECT_ELEMENTS[`${uri} ${local}`]
      if (kind || (uri === RDDS_NS && (local === 'contact' || local === 'registrar'))) {
        stack = [{ uri, local, attrs: attributesOf(t), children: [], text: '', at }]
        return
      }
      if (KNOWN_NAMESPACES.has(uri))
        return fail(`unexpected element <${t.name}> in the deposit's contents`, at)
      return extension(t)
    } else if (depth === 2 && section === 'deletes') {
      if (local !== 'delete' || !Object.values(OBJECT_URIS).includes(uri)) {
        if (KNOWN_NAMESPACES.has(uri))
          return fail(`unexpected element <${t.name}> in the deposit's deletes`, at)
        return extension(t)
      }
      stack = [{ uri, local, attrs: {}, children: [], text: '', at }]
      return
    } else if (depth === 3 && path[2] === 'header') {
      // header children are gathered like an object's
      stack = [{ uri, local, attrs: attributesOf(t), children: [], text: '', at }]
      return
    } else if (depth >= 2 && path[1] === 'watermark') {
      return fail(`unexpected element <${t.name}> in the watermark`, at)
    }
    // anything else here is inside the menu, which lists object URIs this reader does not need
    path.push(local)
  })

  const extension = (t: SaxesTagNS) => {
    handlers.extension(t.prefix ? t.name : `{${t.uri}}${t.local}`)
    skipping = 1
  }

  parser.on('text', (text) => {
    if (failure || skipping > 0) return
    const node = stack[stack.length - 1]
    if (node) node.text += text
    else if (path.length === 2 && path[1] === 'watermark' && header)
      header = { ...header, watermark: text.trim() }
  })
  parser.on('cdata', (text) => {
    const node = stack[stack.length - 1]
    if (node && !failure && skipping === 0) node.text += text
  })

  parser.on('closetag', () => {
    if (failure) return
    if (skipping > 0) {
      skipping--
      return
    }
    if (stack.length > 1) {
      stack.pop()
      return
    }
    if (stack.length === 1) {
      const node = stack.pop()!
      stack = []
      try {
        gathered(node)
      } catch (err) {
        fail((err as Error).message, node.at)
      }
      return
    }
    path.pop()
    if (path.length === 1) section = undefined
  })

  const gathered = (node: Node) => {
    if (path.length === 3 && path[2] === 'header') {
      if (node.uri !== HEADER) return handlers.extension(node.local)
      if (node.local === 'tld') tlds.push(textOf(node))
      else if (node.local === 'count') {
        const kind = (Object.keys(OBJECT_URIS) as ObjectKind[]).find(
          (k) => OBJECT_URIS[k] === node.attrs.uri,
        )
        const n = Number(textOf(node))
        if (!Number.isSafeInteger(n) || n < 0) throw new Error('a header count is not a number')
        // counts per registrar or per RCDN (RFC 9022 §5.1) break a total down: the total is checked
        if (kind && !node.attrs.rcdn && !node.attrs.registrarId)
          counts[kind] = (counts[kind] ?? 0) + n
      }
      return
    }
    if (section === 'deletes') {
      const kind = (Object.keys(OBJECT_URIS) as ObjectKind[]).find(
        (k) => OBJECT_URIS[k] === node.uri,
      )!
      const keyElement = KEY_FIELDS[kind]
      const keyNode = node.children.find((c) => c.local === keyElement)
      if (!keyNode) throw new Error(`a ${kind} delete has no <${keyElement}>`)
      items.push({ type: 'delete', kind, key: textOf(keyNode), at: node.at })
      return
    }
    if (node.uri === RDDS_NS) {
      const { id, ...fields } = node.attrs
      if (!id) throw new Error(`<${node.local}> of the deposit extension has no id`)
      items.push({
        type: 'extra',
        of: node.local as 'contact' | 'registrar',
        key: id,
        fields,
        at: node.at,
      })
      return
    }
    const kind = OBJECT_ELEMENTS[`${node.uri} ${node.local}`]!
    const object = BUILDERS[kind](node)
    const checked = OBJECT_SCHEMAS[kind].safeParse(object)
    if (!checked.success) {
      const key = (object as Record<string, unknown>)[KEY_FIELDS[kind]]
      throw new Error(
        `${kind}${typeof key === 'string' ? ` ${key}` : ''}: ${z.prettifyError(checked.error).replace(/\n\s*/g, ' ')}`,
      )
    }
    items.push({ type: 'object', kind, object: checked.data, at: node.at })
  }

  // the next batch is read while the last one is written: parsing and the database overlap
  const inFlight: Promise<void>[] = []
  const send = async (batch: DepositItem[]) => {
    const sent = handlers.items(batch)
    sent.catch(() => undefined) // awaited below, in order
    inFlight.push(sent)
    if (inFlight.length >= 2) await inFlight.shift()
  }
  let bytes = 0
  try {
    input.setEncoding('utf8')
    for await (const chunk of readable(input)) {
      parser.write(chunk)
      if (failure) throw failure
      // a thousand objects a statement: per chunk (a few dozen) the round trips would dominate
      if (items.length >= BATCH) {
        const batch = items
        items = []
        await send(batch)
      }
      if (handlers.progress && countBytes) {
        const now = countBytes()
        if (now !== bytes) handlers.progress((bytes = now))
      }
    }
    parser.close()
    if (failure) throw failure
    if (!header) throw new DepositError('the input is empty', here())
    if (items.length > 0) await send(items)
  } finally {
    // nothing may still be writing when the caller cleans up after a failure
    await Promise.allSettled(inFlight)
  }
  for (const sent of inFlight) await sent
  return { ...header, tlds, counts, ...(headerAt ? { at: headerAt } : {}) }
}

/** the element that names an object, in the object and in a delete of it (RFC 9022 §5) */
export const KEY_FIELDS: Record<ObjectKind, string> = {
  domain: 'name',
  host: 'name',
  contact: 'id',
  registrar: 'id',
  idnTable: 'id',
  nndn: 'aName',
}

function attributesOf(tag: SaxesTagNS): Record<string, string> {
  const attrs: Record<string, string> = {}
  for (const a of Object.values(tag.attributes) as SaxesAttributeNS[]) {
    if (a.prefix !== 'xmlns' && a.name !== 'xmlns') attrs[a.local] = a.value
  }
  return attrs
}

function attributeOf(tag: SaxesTagNS, local: string): string | undefined {
  return attributesOf(tag)[local]
}

// ---- from an element's tree to the plain object ------------------------------------------------

/** an element's text, with surrounding whitespace and line breaks gone */
const textOf = (node: Node): string => node.text.trim()

/** the children of `node`, by local name; an element of a known namespace not listed is refused */
function childrenOf(
  node: Node,
  read: Record<string, (child: Node) => void>,
  ignored: readonly string[] = [],
): void {
  for (const child of node.children) {
    const reader = read[child.local]
    if (reader && KNOWN_NAMESPACES.has(child.uri)) reader(child)
    else if (ignored.includes(child.local) || !KNOWN_NAMESPACES.has(child.uri)) continue
    else throw new Error(`unexpected element <${child.local}> in <${node.local}>`)
  }
}

/** readers that put each named child's text into `target` under its own name */
const textFields = (target: Record<string, unknown>, names: readonly string[]) =>
  Object.fromEntries(names.map((n) => [n, (c: Node) => (target[n] = textOf(c))]))

const statusOf = (node: Node): string => {
  if (!node.attrs.s) throw new Error('a status without its s attribute')
  return node.attrs.s
}
const phoneOf = (node: Node) => ({
  number: textOf(node),
  ...(node.attrs.x ? { x: node.attrs.x } : {}),
})
const addrOf = (node: Node) => {
  const addr: Record<string, unknown> = { street: [] as string[] }
  childrenOf(node, {
    street: (c) => (addr.street as string[]).push(textOf(c)),
    ...textFields(addr, ['city', 'sp', 'pc', 'cc']),
  })
  return addr
}
const hostAddrOf = (node: Node) => ({ ip: node.attrs.ip ?? 'v4', address: textOf(node) })
const intOf = (node: Node): number | string => {
  const t = textOf(node)
  return /^\d+$/.test(t) ? Number(t) : t
}

const BUILDERS: Record<ObjectKind, (node: Node) => Record<string, unknown>> = {
  domain(node) {
    const d: Record<string, unknown> = { status: [], contact: [] }
    const ns = { hostObj: [] as string[], hostAttr: [] as unknown[] }
    childrenOf(
      node,
      {
        ...textFields(d, ['name', 'roid', 'uName', 'idnTableId', 'registrant', 'clID']),
        ...textFields(d, ['crDate', 'exDate', 'upDate', 'trDate']),
        status: (c) => (d.status as string[]).push(statusOf(c)),
        contact: (c) => (d.contact as unknown[]).push({ type: c.attrs.type, id: textOf(c) }),
        ns: (c) =>
          childrenOf(c, {
            hostObj: (h) => ns.hostObj.push(textOf(h)),
            hostAttr: (h) => {
              const attr = { hostName: '', hostAddr: [] as unknown[] }
              childrenOf(h, {
                hostName: (n) => (attr.hostName = textOf(n)),
                hostAddr: (a) => attr.hostAddr.push(hostAddrOf(a)),
              })
              ns.hostAttr.push(attr)
            },
          }),
        secDNS: (c) => (d.secDNS = secDnsOf(c)),
        infData: (c) => (d.secDNS = secDnsOf(c)),
      },
      ['crRr', 'upRr', 'trnData', 'rgpStatus', 'originalName', 'authInfo'],
    )
    d.ns = ns
    return d
  },
  host(node) {
    const h: Record<string, unknown> = { status: [], addr: [] }
    childrenOf(
      node,
      {
        ...textFields(h, ['name', 'roid', 'clID', 'crDate', 'upDate']),
        status: (c) => (h.status as string[]).push(statusOf(c)),
        addr: (c) => (h.addr as unknown[]).push(hostAddrOf(c)),
      },
      ['crRr', 'upRr', 'trDate'],
    )
    return h
  },
  contact(node) {
    const c: Record<string, unknown> = { status: [], postalInfo: [], disclose: [] }
    childrenOf(
      node,
      {
        ...textFields(c, ['id', 'roid', 'email', 'clID', 'crDate', 'upDate']),
        status: (e) => (c.status as string[]).push(statusOf(e)),
        postalInfo: (e) => {
          const p: Record<string, unknown> = { type: e.attrs.type }
          childrenOf(e, {
            name: (n) => (p.name = textOf(n)),
            org: (n) => (p.org = textOf(n)),
            addr: (n) => (p.addr = addrOf(n)),
          })
          ;(c.postalInfo as unknown[]).push(p)
        },
        voice: (e) => (c.voice = phoneOf(e)),
        fax: (e) => (c.fax = phoneOf(e)),
        disclose: (e) =>
          (c.disclose as unknown[]).push({
            flag: e.attrs.flag === '1' || e.attrs.flag === 'true' ? 1 : 0,
            elements: [...new Set(e.children.map((x) => x.local))],
          }),
      },
      ['crRr', 'upRr', 'trDate', 'trnData', 'authInfo'],
    )
    return c
  },
  registrar(node) {
    const r: Record<string, unknown> = { postalInfo: [] }
    childrenOf(
      node,
      {
        ...textFields(r, ['id', 'name', 'status', 'email', 'url', 'crDate', 'upDate']),
        gurid: (e) => (r.gurid = intOf(e)),
        postalInfo: (e) => {
          const p: Record<string, unknown> = { type: e.attrs.type }
          childrenOf(e, { addr: (n) => (p.addr = addrOf(n)) })
          ;(r.postalInfo as unknown[]).push(p)
        },
        voice: (e) => (r.voice = phoneOf(e)),
        fax: (e) => (r.fax = phoneOf(e)),
        whoisInfo: (e) => {
          const w: Record<string, unknown> = {}
          childrenOf(e, { name: (n) => (w.name = textOf(n)), url: (n) => (w.url = textOf(n)) })
          r.whoisInfo = w
        },
      },
      ['crRr', 'upRr'],
    )
    return r
  },
  idnTable(node) {
    const t: Record<string, unknown> = { id: node.attrs.id }
    childrenOf(node, {
      ...textFields(t, ['url', 'urlPolicy']),
    })
    return t
  },
  nndn(node) {
    const n: Record<string, unknown> = { mirroringNS: [] }
    childrenOf(node, {
      ...textFields(n, ['aName', 'uName', 'idnTableId', 'originalName', 'nameState', 'crDate']),
      mirroringNS: (e) =>
        childrenOf(e, { hostObj: (h) => (n.mirroringNS as string[]).push(textOf(h)) }),
    })
    return n
  },
}

function secDnsOf(node: Node) {
  const s = { dsData: [] as unknown[], keyData: [] as unknown[] }
  const keyDataOf = (k: Node) => {
    const key: Record<string, unknown> = {}
    childrenOf(k, {
      flags: (e) => (key.flags = intOf(e)),
      protocol: (e) => (key.protocol = intOf(e)),
      alg: (e) => (key.alg = intOf(e)),
      pubKey: (e) => (key.pubKey = textOf(e).replace(/\s+/g, '')),
    })
    return key
  }
  childrenOf(
    node,
    {
      dsData: (d) => {
        const ds: Record<string, unknown> = {}
        childrenOf(d, {
          keyTag: (e) => (ds.keyTag = intOf(e)),
          alg: (e) => (ds.alg = intOf(e)),
          digestType: (e) => (ds.digestType = intOf(e)),
          digest: (e) => (ds.digest = textOf(e).replace(/\s+/g, '')),
          // the key a DS record was made from: published by its digest, kept with it
          keyData: (k) => s.keyData.push(keyDataOf(k)),
        })
        s.dsData.push(ds)
      },
      keyData: (k) => s.keyData.push(keyDataOf(k)),
    },
    ['maxSigLife'],
  )
  return s
}

/** the input's text; a damaged compressed stream is the deposit's problem, not the server's */
async function* readable(input: Readable): AsyncGenerator<string> {
  try {
    for await (const chunk of input as AsyncIterable<string>) yield chunk
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (typeof code === 'string' && code.startsWith('Z_'))
      throw new DepositError(`the compressed input is damaged: ${(err as Error).message}`)
    throw err
  }
}
