import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** an environment with nothing of the caller's but PATH: what a test sets is all there is */
export async function isolatedEnv(
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'rdds-proc-'))
  return {
    PATH: process.env.PATH ?? '',
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'info',
    HTTP_PORT: '0',
    WHOIS_PORT: '0',
    CONTACT_SMTP_PORT: '0',
    ...extra,
  }
}

export interface ServerProcess {
  readonly child: ChildProcess
  readonly httpPort: number
  readonly whoisPort: number
  /** the contact relay's SMTP port, where it runs */
  readonly contactSmtpPort?: number
  readonly base: string
  /** resolves with the exit code once it has exited */
  readonly exited: Promise<number | null>
  output(): string
  /** SIGTERM, then the exit code */
  stop(): Promise<number | null>
}

/** the real server as a process (as npm start runs it), once it says it listens */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the server did not start in 30 s:\n${out}`))
    }, 30000)
    const seen = () => {
      const line = out.split('\n').find((l) => l.includes('tiered-rdds listening'))
      if (!line) return
      clearTimeout(timer)
      const { http, whois, contactSmtp } = JSON.parse(line) as {
        http: string
        whois: string
        contactSmtp?: string
      }
      const httpPort = Number(new URL(http).port)
      resolve({
        child,
        httpPort,
        whoisPort: Number(whois.split(':').at(-1)),
        ...(contactSmtp ? { contactSmtpPort: Number(contactSmtp.split(':').at(-1)) } : {}),
        base: `http://127.0.0.1:${httpPort}`,
        exited,
        output: () => out,
        async stop() {
          child.kill('SIGTERM')
          return exited
        },
      })
    }
    child.stdout!.on('data', (c) => {
      out += c
      seen()
    })
    child.stderr!.on('data', (c) => (out += c))
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`the server exited with ${code} before listening:\n${out}`))
    })
  })
}

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `rdds …` as a separate process, as a user runs it */
export function runCli(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { env, timeout: 120000 },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: unknown }).code ?? 1) : 0
        resolve({ code: Number.isInteger(code) ? code : 1, stdout, stderr })
      },
    )
  })
}

/** `rdds …` with `input` on its standard input (`rdds import -`) */
export function runCliWithInput(
  env: Record<string, string>,
  input: Buffer,
  ...args: string[]
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
    child.stdin.end(input)
  })
}
