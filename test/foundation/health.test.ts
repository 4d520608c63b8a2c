// Liveness and readiness; on PostgreSQL, a database outage turns into 503 + Retry-After and heals itself.
import t, { type Test as Tap } from 'tap'
import { createAdmin, createAgency } from '../factories.js'
import { build, onPostgres } from '../helper.js'
import { startTcpProxy } from './tcp-proxy.js'

const PROBLEM_TYPE = /^application\/problem\+json/

t.test('health endpoints answer without a token', async (t) => {
  const app = await build(t)
  const live = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200)
  t.same(live.json(), { status: 'ok' })
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ok' })
})

const pgliteOnly = { skip: onPostgres ? 'embedded PGlite only; the PostgreSQL outage tests follow' : false }
const postgresOnly = { skip: onPostgres ? false : 'needs real PostgreSQL: run with TEST_DATABASE_URL set (npm run test:postgres)' }

t.test('a closed embedded database makes readiness 503, liveness stays 200', pgliteOnly, async (t) => {
  const app = await build(t)
  await app.ready()
  await app.database.close()
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.equal(ready.headers['retry-after'], '5')
  t.match(ready.headers['content-type'], PROBLEM_TYPE)
  t.match(ready.json(), { status: 503, code: 'POLKU_DATABASE_UNAVAILABLE' })
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200)
})

/** An app whose database connections go through a proxy the test controls. */
async function appBehindProxy(t: Tap, logs?: string[]) {
  const server = new URL(process.env.TEST_DATABASE_URL!)
  const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) })
  t.teardown(() => proxy.close())
  const app = await build(t, {
    logs,
    config: { dbPoolWaitMs: 500 },
    databaseUrlVia: (url) => {
      const proxied = new URL(url)
      proxied.hostname = '127.0.0.1'
      proxied.port = String(proxy.port)
      return proxied.toString()
    },
  })
  return { app, proxy, server }
}

type Response = { statusCode: number; headers: Record<string, unknown>; body: string; json: () => any }

/** 503, Retry-After, problem+json, and not a word about where or what the database is. */
function assertUnavailable(t: Tap, res: Response, what: string, secrets: string[]) {
  t.equal(res.statusCode, 503, `${what}: 503`)
  t.equal(res.headers['retry-after'], '5', `${what}: Retry-After`)
  t.match(res.headers['content-type'], PROBLEM_TYPE, `${what}: problem+json`)
  t.match(res.json(), {
    type: 'urn:polku:problem:database-unavailable',
    status: 503,
    code: 'POLKU_DATABASE_UNAVAILABLE',
    detail: 'The service cannot reach its database right now; retry shortly',
  })
  for (const secret of secrets) t.notOk(res.body.toLowerCase().includes(secret.toLowerCase()), `${what}: body does not mention ${secret}`)
}

async function readyAgain(app: Awaited<ReturnType<typeof build>>) {
  // The pool reconnects on its own; no restart, no manual intervention.
  let ready = await app.inject({ method: 'GET', url: '/health/ready' })
  for (let attempt = 0; attempt < 20 && ready.statusCode !== 200; attempt++) {
    await new Promise((r) => setTimeout(r, 250))
    ready = await app.inject({ method: 'GET', url: '/health/ready' })
  }
  return ready
}

t.test('PostgreSQL gone: 503 with Retry-After while it is gone, 200 once it is back', postgresOnly, async (t) => {
  const logs: string[] = []
  const { app, proxy, server } = await appBehindProxy(t, logs)
  const admin = await createAdmin(app)
  await createAgency(app, admin, { name: 'Before the outage' })
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200, 'ready through the proxy')

  proxy.cut()
  const secrets = [server.hostname, `:${proxy.port}`, `:${server.port || 5432}`, 'select', 'ECONN', 'postgres', 'connection']
  const started = Date.now()
  assertUnavailable(t, await app.inject({ method: 'GET', url: '/health/ready' }), 'readiness', secrets)
  assertUnavailable(t, await app.inject({ method: 'GET', url: '/v1/agencies', headers: admin.headers }), 'a data route', secrets)
  assertUnavailable(
    t,
    await app.inject({ method: 'POST', url: '/v1/agencies', headers: admin.headers, payload: { name: 'During the outage', kind: 'social_services' } }),
    'a write',
    secrets,
  )
  t.ok(Date.now() - started < 10_000, 'callers are not kept waiting')
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'the process itself is alive')
  // The failure is logged (with the driver's error code), but not where the database is or what ran.
  t.ok(logs.some((line) => line.includes('"code":"POLKU_DATABASE_UNAVAILABLE"')), 'the 503s are logged')
  const logSecrets = [server.hostname, `:${proxy.port}`, `:${server.port || 5432}`, 'postgres://', 'select ', 'insert ']
  const leakyLines = logs.filter((line) => logSecrets.some((secret) => line.toLowerCase().includes(secret)))
  t.same(leakyLines, [], 'no log line names the database host, port or SQL')

  proxy.restore()
  const ready = await readyAgain(app)
  t.equal(ready.statusCode, 200, 'ready again')
  t.same(ready.json(), { status: 'ok' })
  const list = await app.inject({ method: 'GET', url: '/v1/agencies', headers: admin.headers })
  t.equal(list.statusCode, 200, 'data routes work again')
  t.same(
    list.json().items.map((agency: { name: string }) => agency.name),
    ['Before the outage'],
    'the write during the outage left nothing behind',
  )
})

t.test('PostgreSQL hanging: readiness and data routes give up with 503 instead of waiting', postgresOnly, async (t) => {
  const { app, proxy, server } = await appBehindProxy(t)
  const admin = await createAdmin(app)
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200, 'ready through the proxy')

  proxy.stall()
  const secrets = [server.hostname, `:${proxy.port}`, 'select', 'postgres']
  for (const url of ['/health/ready', '/v1/agencies']) {
    const started = Date.now()
    assertUnavailable(t, await app.inject({ method: 'GET', url, headers: admin.headers }), url, secrets)
    t.ok(Date.now() - started < 3000, `${url} answers within the configured wait`)
  }

  proxy.restore()
  t.equal((await readyAgain(app)).statusCode, 200, 'ready again')
  t.equal((await app.inject({ method: 'GET', url: '/v1/agencies', headers: admin.headers })).statusCode, 200, 'data routes work again')
})
