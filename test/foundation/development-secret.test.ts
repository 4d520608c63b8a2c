// The published development secret, as the process sees it: refused at start, except `npm start` on a developer's machine.
import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { PUBLISHED_DEVELOPMENT_SECRET } from '../../src/config.js'
import { embeddedDatabaseOnly } from '../helper.js'
import { embedded, listening, startServer } from './server-process.js'

embeddedDatabaseOnly(t)

t.test('the published development secret stops the process unless NODE_ENV=development is explicit and no provider is set', async (t) => {
  const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string
  const cases: [string, Record<string, string | undefined>][] = [
    ['NODE_ENV unset and no JWT_SECRET', { NODE_ENV: undefined }],
    ['the published secret beside JWT_PUBLIC_KEY', { JWT_SECRET: PUBLISHED_DEVELOPMENT_SECRET, JWT_PUBLIC_KEY: publicKey }],
  ]
  await Promise.all(
    cases.map(async ([name, env]) => {
      const server = startServer(t, { ...embedded, ...env })
      const { code } = await server.exited
      const lines = server.output().trim().split('\n')
      t.equal(code, 1, `${name}: exit code 1`)
      t.equal(lines.length, 1, `${name}: one line`)
      t.match(lines[0], /^polku: invalid configuration: JWT_SECRET /, `${name}: the line names JWT_SECRET`)
    }),
  )
})

t.test('npm start on a fresh machine (no NODE_ENV, no JWT_SECRET) runs in development and warns about the published secret', async (t) => {
  const server = startServer(t, { ...embedded, NODE_ENV: undefined }, 'npm start')
  const port = await listening(server)
  t.equal((await fetch(`http://127.0.0.1:${port}/health/live`)).status, 200)
  t.match(server.output(), /"level":40,.*"msg":"JWT_SECRET is the published development secret/)
  process.kill(-server.child.pid!, 'SIGINT')
  await server.exited
})
