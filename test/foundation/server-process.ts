// Polku's server as a real process for tests: started with only the environment given, killed on teardown.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from '../helper.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface Server {
  child: ChildProcessWithoutNullStreams
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts `node src/server.ts` (or `npm start`) with only this environment; `undefined` leaves a variable unset. */
export function startServer(t: Test, env: Record<string, string | undefined>, command: 'node' | 'npm start' = 'node'): Server {
  const merged: Record<string, string | undefined> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', ...env }
  const [file, args] = command === 'node' ? [process.execPath, ['--import', 'tsx', 'src/server.ts']] : ['npm', ['start', '--silent']]
  // npm start runs the server as a grandchild: its own process group lets the teardown reach it.
  const child = spawn(file, args, {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
    detached: command !== 'node',
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  )
  t.teardown(() => {
    if (child.exitCode !== null || child.signalCode !== null) return
    if (command === 'node') child.kill('SIGKILL')
    else process.kill(-child.pid!, 'SIGKILL')
  })
  return { child, output: () => output, exited }
}

/** Resolves with the port once the server logs that it listens. */
export async function listening(server: Server, timeoutMs = 60_000): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output())
    if (match) return Number(match[1])
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`server did not start:\n${server.output()}`)
}

/** An embedded in-memory database, any free port, no demo seed. */
export const embedded = { HOST: '127.0.0.1', PORT: '0', POLKU_DATA_DIR: 'memory://', POLKU_DEMO_SEED: 'false' }
