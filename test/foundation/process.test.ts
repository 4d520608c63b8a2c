// The server process: a bad configuration stops it with one line; SIGTERM/SIGINT shut it down cleanly.
import { request } from 'node:http'
import t from 'tap'
import { onPostgres } from '../helper.js'
import { createPostgresDatabase } from '../setup/databases.js'
import { embedded, listening, startServer } from './server-process.js'

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
      const server = startServer(t, { ...embedded, [variable]: value })
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
const forSigterm = startServer(t, sigtermEnv)
const forSigint = startServer(t, sigintEnv)

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
