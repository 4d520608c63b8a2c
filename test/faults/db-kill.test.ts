// PostgreSQL killed in the middle of a write burst: Polku lives, answers 503, recovers by itself, loses nothing acknowledged.
import t from 'tap'
import { faultSuite } from './fault-suite.js'
import { faultApp, leaksDatabaseDetail, noteWriter, postNote, sleep } from './setup.js'

t.test('kill -9 of the database during writes, then a restart', faultSuite, async (t) => {
  const { app, server, logs, sql } = await faultApp(t, { config: { dbPoolWaitMs: 1000 } })
  const writer = await noteWriter(app, 8)
  const acknowledged: string[] = []
  const outage: { status: number; retryAfter: unknown; body: string }[] = []
  let firstSuccessAfterRestart: number | undefined
  let restartedAt: number | undefined
  let stop = false
  const writers = Array.from({ length: 8 }, async (_, w) => {
    while (!stop) {
      const res = await postNote(app, writer, w)
      if (res.statusCode === 201) {
        acknowledged.push(res.json().id)
        if (restartedAt !== undefined && firstSuccessAfterRestart === undefined) firstSuccessAfterRestart = Date.now()
      } else {
        outage.push({ status: res.statusCode, retryAfter: res.headers['retry-after'], body: res.body })
        await sleep(50)
      }
    }
  })
  await sleep(1000)
  const beforeKill = acknowledged.length
  await server.kill()
  await sleep(1500)
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  await server.start()
  restartedAt = Date.now()
  while (firstSuccessAfterRestart === undefined && Date.now() - restartedAt < 15_000) await sleep(50)
  await sleep(500)
  stop = true
  await Promise.all(writers)

  t.ok(beforeKill > 0, `writes went through before the kill (${beforeKill})`)
  t.ok(outage.length > 0, 'requests during the outage failed')
  t.same([...new Set(outage.map((o) => o.status))], [503], 'every failure is a 503')
  t.ok(outage.every((o) => o.retryAfter !== undefined), 'with Retry-After')
  t.notOk(outage.some((o) => leaksDatabaseDetail(o.body, server)), 'no host, port or driver in a body')
  t.equal(ready.statusCode, 503, 'readiness is 503 during the outage')
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'liveness stays 200')
  const recovery = (firstSuccessAfterRestart ?? Number.POSITIVE_INFINITY) - restartedAt
  t.ok(recovery < 5000, `writes succeed again within 5 s of the restart (${recovery} ms)`)
  t.comment(`recovery after restart: ${recovery} ms; acknowledged ${acknowledged.length}, failed ${outage.length}`)

  const stored = await sql<{ id: string; audited: boolean }[]>`
    select n.id, exists (select 1 from audit_events a where a.resource_id = n.id::text and a.action = 'create') as audited
    from notes n where n.id = any(${acknowledged}::uuid[])`
  t.equal(stored.length, acknowledged.length, 'every acknowledged write is stored')
  t.ok(stored.every((row) => row.audited), 'each with its audit event')
  t.notOk(logs.some((line) => leaksDatabaseDetail(line, server)), "no host, port or driver in the logs")
})
