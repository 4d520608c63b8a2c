// The committed postgres.js patch (patches/): a connection that closes under a transaction never ends the process.
import { execFile } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { faultSuite } from './fault-suite.js'
import { startPostgresServer } from './postgres-server.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

t.test('a statement cut off inside a transaction rejects with CONNECTION_CLOSED; the process lives', faultSuite, async (t) => {
  const server = await startPostgresServer()
  t.teardown(() => server.destroy())
  const result = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/faults/fixtures/closed-socket-write.ts', server.url], {
    cwd: ROOT,
    timeout: 30_000,
  }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  )
  t.notMatch(result.stderr, /Cannot read properties of null/, 'no write to a closed socket')
  t.equal(result.code, 0, 'the process exits normally')
  t.match(result.stdout, /rejected CONNECTION_CLOSED/, 'the transaction fails with a catchable error')
  t.match(result.stdout, /after 1/, 'the pool serves again once the network is back')
})
