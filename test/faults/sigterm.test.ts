// A deploy under load: SIGTERM while keep-alive clients keep sending. Readiness turns 503, the process exits 0 in time.
import { Agent, request } from 'node:http'
import autocannon from 'autocannon'
import t from 'tap'
import { faultSuite } from './fault-suite.js'
import { startPolku } from './polku-process.js'
import { startPostgresServer } from './postgres-server.js'

const GRACE_MS = 5000

function get(url: string, agent: Agent): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }))
    })
    req.on('error', reject)
    req.end()
  })
}

t.test('SIGTERM under keep-alive load exits 0 within the grace period', faultSuite, async (t) => {
  const server = await startPostgresServer()
  t.teardown(() => server.destroy())
  const polku = startPolku(t, { DATABASE_URL: server.url, SHUTDOWN_GRACE_MS: String(GRACE_MS) })
  const base = await polku.listening()
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  let ready = 0
  for (let i = 0; i < 50 && ready !== 200; i++) {
    ready = (await get(`${base}/health/ready`, agent)).status
    if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.equal(ready, 200, 'ready before the signal')

  const load = autocannon({ url: `${base}/health/ready`, connections: 8, duration: 4 })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const signalled = Date.now()
  polku.child.kill('SIGTERM')
  // Signal delivery is asynchronous: give the process a moment to begin its shutdown.
  await new Promise((resolve) => setTimeout(resolve, 200))
  // The same keep-alive connection as before the signal: readiness now says no.
  const afterSignal = await get(`${base}/health/ready`, agent).catch(() => ({ status: 0, connection: 'refused' }))
  const { code } = await polku.exited
  const exitedAfter = Date.now() - signalled
  const result = await load

  t.equal(code, 0, 'exit code 0')
  t.ok(exitedAfter < GRACE_MS, `exited within the grace period (${exitedAfter} ms of ${GRACE_MS} ms)`)
  t.not(afterSignal.status, 200, `readiness is no longer 200 after the signal (${afterSignal.status})`)
  t.ok(result['2xx'] > 0, `requests were served before the signal (${result['2xx']})`)
  t.notMatch(polku.output(), /killed by timeout|"level":50/, 'no forced exit and no error logged')
  t.comment(`exit ${exitedAfter} ms after SIGTERM; load: ${result['2xx']} 2xx, ${result.non2xx} non-2xx, ${result.errors} errors`)
})
