// A Polku server process for fault tests: started with `src/server.ts`, its output kept, killed on teardown.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface PolkuProcess {
  child: ChildProcessWithoutNullStreams
  output(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves with the base URL once the server listens. */
  listening(timeoutMs?: number): Promise<string>
}

interface Test {
  teardown(fn: () => unknown): void
}

export function startPolku(t: Test, env: Record<string, string>, script = 'src/server.ts', args: string[] = []): PolkuProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', POLKU_DEMO_SEED: 'false', ...env },
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })))
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return {
    child,
    output: () => output,
    exited,
    async listening(timeoutMs = 60_000) {
      const started = Date.now()
      while (Date.now() - started < timeoutMs) {
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
        if (match) return match[1]!
        if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`)
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error(`server did not start:\n${output}`)
    },
  }
}
