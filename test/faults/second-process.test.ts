// One process per embedded data folder: a second one (the CLI while the server runs) stops before touching it.
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { testConfig } from '../../src/config.js'
import { lockDataFolder } from '../../src/db/data-lock.js'
import { faultSuite } from './fault-suite.js'
import { ROOT } from './polku-process.js'

async function cli(dataDir: string, args: string[]) {
  const { PATH, HOME } = process.env
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH, HOME, NODE_ENV: 'development', POLKU_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    timeout: 120_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  )
}

t.test('a second process on a folder in use exits 1 with a clear message and writes nothing', faultSuite, async (t) => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'polku-lock-')), 'data')
  t.teardown(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }))
  // The running server's lock, taken exactly as src/server.ts takes it.
  const unlock = await lockDataFolder(testConfig({ dataDir, databaseUrl: undefined }))
  const [create, token] = await Promise.all([cli(dataDir, ['admin:create', '--sub', 'second-process']), cli(dataDir, ['token', '--sub', 'x'])])
  t.equal(create.code, 1, 'admin:create exits 1')
  t.equal(create.stdout, '', 'and never reports "created"')
  t.match(create.stderr, /^polku: the embedded database in .* is in use by another Polku process/, 'one clear line saying why')
  t.same(readdirSync(dataDir), [], 'the folder was not touched')
  t.equal(token.code, 0, 'token needs no database and works while the server runs, as the start log says')
  await unlock()
  const after = await cli(dataDir, ['admin:create', '--sub', 'second-process'])
  t.equal(after.code, 0, `with the server gone, the command works (${after.stderr})`)
})
