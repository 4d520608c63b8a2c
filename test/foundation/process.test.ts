// The server process: a bad configuration stops it with one line; SIGTERM/SIGINT shut it down cleanly.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { request } from 'node:http'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { onPostgres } from '../helper.js'
import { createPostgresDatabase } from '../setup/databases.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

interface Server {
  child: ChildProcessWithoutNullStreams
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function startServer(env: Record<string, string>): Server {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', ...env },
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
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return { child, output: () => output, exited }
}

/** Resolves with the port once the server logs that it listens. */
async function listening(server: Server, timeoutMs = 60_000): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output())
    if (match) return Number(match[1])
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`server did not start:\n${server.output()}`)
}

const embedded = { HOST: '127.0.0.1', PORT: '0', POLKU_DATA_DIR: 'memory://', POLKU_DEMO_SEED: 'false' }

/** The server's database: embedded in memory, or a fresh PostgreSQL database on the PostgreSQL run. */
async function serverEnv(): Promise<Record<string, string>> {
  if (!onPostgres) return embedded
  const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!)
  t.teardown(() => database.drop())
  return { ...embedded, DATABASE_URL: database.url }
}

t.test('a bad configuration value stops the process with one line naming the variable', async (t) => {
  const cases = [
    { variable: 'PORT', value: 'abc' },
    { variable: 'LOG_LEVEL', value: 'loud' },
    { variable: 'DATABASE_URL', value: 'mysql://db.example/polku' },
  ]
  await Promise.all(
    cases.map(async ({ variable, value }) => {
      const server = startServer({ ...embedded, [variable]: value })
      const { code } = await server.exited
      const lines = server.output().trim().split('\n')
      t.not(code, 0, `${variable}=${value} exits non-zero`)
      t.equal(lines.length, 1, `${variable}=${value} prints one line`)
      t.match(lines[0], new RegExp(`^polku: invalid configuration: ${variable} `), `the line names ${variable}`)
      if (variable === 'DATABASE_URL') t.notMatch(lines[0], /db\.example/, 'the URL itself is not echoed')
    }),
  )
})

// Both servers boot at once: starting one (WebAssembly PostgreSQL, migrations) takes seconds.
const [sigtermEnv, sigintEnv] = await Promise.all([serverEnv(), serverEnv()])
const forSigterm = startServer(sigtermEnv)
const forSigint = startServer(sigintEnv)

t.test('SIGINT shuts the server down with exit code 0', async (t) => {
  const port = await listening(forSigint)
  const ready = await fetch(`http://127.0.0.1:${port}/health/ready`)
  t.equal(ready.status, 200, 'ready before the signal')
  forSigint.child.kill('SIGINT')
  t.equal((await forSigint.exited).code, 0)
  t.match(forSigint.output(), /"signal":"SIGINT","msg":"shutting down"/)
})

t.test('SIGTERM lets the request in flight finish, then exits 0', async (t) => {
  const port = await listening(forSigterm)
  const body = JSON.stringify({ grant_type: 'password' })
  const answer = new Promise<{ status: number; body: string }>((done, fail) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/v1/oauth/token', headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        let text = ''
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () => done({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', fail)
    // Half the body now, the signal, then the rest: the request is in flight during shutdown.
    req.write(body.slice(0, 5))
    setTimeout(() => {
      forSigterm.child.kill('SIGTERM')
      setTimeout(() => req.end(body.slice(5)), 500)
    }, 300)
  })
  const res = await answer
  t.equal(res.status, 400, 'the request is answered')
  t.match(JSON.parse(res.body), { error: 'unsupported_grant_type' })
  t.equal((await forSigterm.exited).code, 0, 'exit code 0')
  t.match(forSigterm.output(), /"signal":"SIGTERM","msg":"shutting down"/)
})
