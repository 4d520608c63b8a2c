// A database that stops answering mid-transaction: every request gets a bounded 503, the pool is not held forever.
import t from 'tap'
import { faultSuite } from './fault-suite.js'
import { faultApp, leaksDatabaseDetail, noteWriter, postNote, sleep } from './setup.js'

const DEADLINE_MS = 3000
const POOL_WAIT_MS = 1500

t.test('a hung database: bounded answers, then the pool serves again', faultSuite, async (t) => {
  const { app, server, proxy, sql } = await faultApp(t, {
    proxy: true,
    config: { dbPoolSize: 2, dbPoolWaitMs: POOL_WAIT_MS, dbStatementTimeoutMs: 2000, requestDeadlineMs: DEADLINE_MS, dbIdleInTransactionTimeoutMs: 5000 },
  })
  const writer = await noteWriter(app, 4)
  t.equal((await postNote(app, writer, 0)).statusCode, 201, 'writes before the hang')

  // Mid-transaction: the request's first statements have gone out when the network stops forwarding.
  proxy!.stall()
  const started = Date.now()
  const hung = await Promise.all([0, 1].map((i) => postNote(app, writer, i)))
  const waited = Date.now() - started
  t.same(
    hung.map((res) => res.statusCode),
    [503, 503],
    'requests on hung connections get 503',
  )
  t.ok(hung.every((res) => res.headers['retry-after'] !== undefined && !leaksDatabaseDetail(res.body, server, proxy)), 'with Retry-After, no detail')
  t.ok(waited < DEADLINE_MS + 1500, `answered by the deadline (${waited} ms, deadline ${DEADLINE_MS} ms)`)

  // Pool exhaustion: more requests than connections while nothing answers. None waits past the deadline.
  const burstStarted = Date.now()
  const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => postNote(app, writer, i)))
  const burstWaited = Date.now() - burstStarted
  t.same([...new Set(burst.map((res) => res.statusCode))], [503], 'an exhausted pool answers 503')
  t.ok(burstWaited < DEADLINE_MS + 1500, `no request waited past the deadline (${burstWaited} ms)`)

  proxy!.restore()
  const restoredAt = Date.now()
  let recovered: number | undefined
  while (recovered === undefined && Date.now() - restoredAt < 10_000) {
    if ((await postNote(app, writer, 3)).statusCode === 201) recovered = Date.now() - restoredAt
    else await sleep(100)
  }
  t.ok(recovered !== undefined && recovered < 5000, `the pool serves again (${recovered} ms after the network returned)`)
  const concurrent = await Promise.all([0, 1, 2, 3].map((i) => postNote(app, writer, i)))
  t.same([...new Set(concurrent.map((res) => res.statusCode))], [201], 'every pool connection is usable again')

  // The server holds no transaction the client abandoned.
  await sleep(500)
  const idle = await sql`select count(*)::int as n from pg_stat_activity where application_name = 'polku' and state like 'idle in transaction%'`
  t.equal(idle[0]?.n, 0, 'no session left idle in a transaction')
})
