// The operator CLI as an operator runs it: a real process on an embedded database in a temporary folder.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createVerifier } from 'fast-jwt'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { PUBLISHED_DEVELOPMENT_SECRET, testConfig } from '../../src/config.js'
import { bearer, embeddedDatabaseOnly } from '../helper.js'

embeddedDatabaseOnly(t)

const run = promisify(execFile)
const SECRET = 'cli-test-secret-that-is-long-enough-0123456789'

interface Result {
  code: number
  stdout: string
  stderr: string
}

/** Runs `node --import tsx src/cli.ts ...args` with only the environment given here (no DATABASE_URL leaks in). */
async function cli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  const { PATH, HOME } = process.env
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { PATH, HOME, NODE_ENV: 'development', POLKU_DATA_DIR: dataDir, JWT_SECRET: SECRET, LOG_LEVEL: 'silent', ...env },
      timeout: 120_000,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

t.test('npm run cli -- token on a fresh machine: development, signed with the published development secret', async (t) => {
  const { PATH, HOME } = process.env
  const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'token', '--sub', 'demo-youth-counsellor'], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { PATH, HOME, POLKU_DATA_DIR: 'memory://' },
    timeout: 120_000,
  })
  const verify = createVerifier({ key: PUBLISHED_DEVELOPMENT_SECRET, algorithms: ['HS256'], allowedIss: 'polku', allowedAud: 'polku-api' })
  t.match(verify(stdout.trim()), { sub: 'demo-youth-counsellor' })
})

t.test('operator CLI', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polku-cli-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const verify = createVerifier({ key: SECRET, algorithms: ['HS256'], allowedIss: 'polku', allowedAud: 'polku-api', requiredClaims: ['exp', 'sub'] })

  const [created, token, refused] = await Promise.all([
    cli(dataDir, ['admin:create', '--sub', 'ops-admin']),
    cli(dataDir, ['token', '--sub', 'ops-admin', '--ttl', '120']),
    cli(dataDir, ['token', '--sub', 'ops-admin'], { NODE_ENV: 'production', SESSION_KEY: 'ab'.repeat(32) }),
  ])

  t.equal(created.code, 0, created.stderr)
  t.match(created.stdout, /^admin account [0-9a-f-]{36} created for subject ops-admin$/m)

  t.equal(token.code, 0, token.stderr)
  const jwt = token.stdout.trim()
  t.match(jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'prints exactly one JWT')
  const claims = verify(jwt) as { sub: string; iss: string; aud: string; exp: number; iat: number }
  t.match(claims, { sub: 'ops-admin', iss: 'polku', aud: 'polku-api' })
  t.equal(claims.exp - claims.iat, 120, '--ttl sets the lifetime')

  t.not(refused.code, 0, 'token refuses in production')
  t.match(refused.stderr, /refuses to mint tokens in production/)
  t.equal(refused.stdout, '', 'and prints no token')

  const duplicate = await cli(dataDir, ['admin:create', '--sub', 'ops-admin'])
  t.equal(duplicate.code, 1)
  t.equal(duplicate.stderr, 'polku: that subject already has an account\n', 'one clear line, no SQL')

  const seeded = await cli(dataDir, ['demo:seed'])
  t.equal(seeded.code, 0, seeded.stderr)
  t.match(seeded.stdout, /^demo centre created/)
  const tokens = new Map<string, string>()
  const lines = seeded.stdout.split('\n')
  lines.forEach((line, i) => {
    const subject = /^(demo-[\w-]+) {2}\(/.exec(line)?.[1]
    if (subject) tokens.set(subject, lines[i + 1]!.trim())
  })
  t.same([...tokens.keys()].sort(), ['demo-admin', 'demo-auditor', 'demo-nurse', 'demo-outreach-worker', 'demo-psychologist', 'demo-social-worker', 'demo-study-counsellor', 'demo-youth-counsellor'])
  for (const [subject, demoToken] of tokens) t.match(verify(demoToken), { sub: subject }, `${subject} has a valid token`)

  // The same data folder, opened by the app: the CLI's accounts and tokens work against the API.
  const app = await buildApp(testConfig({ dataDir, jwt: { ...testConfig().jwt, secret: SECRET } }))
  t.teardown(() => app.close())
  const agencies = await app.inject({ method: 'GET', url: '/v1/agencies', headers: bearer(jwt) })
  t.equal(agencies.statusCode, 200, 'the admin created by the CLI, with the CLI token, is let in')
  t.same(agencies.json().items.map((a: { kind: string }) => a.kind).sort(), ['education', 'employment_service', 'health_services', 'social_services'])
  const asCounsellor = await app.inject({ method: 'GET', url: '/v1/centres', headers: bearer(tokens.get('demo-youth-counsellor')!) })
  t.equal(asCounsellor.statusCode, 200)
  t.ok(asCounsellor.json().items.some((c: { name: string; municipality: string }) => c.name === 'Ohjaamo Demo' && c.municipality === 'Tampere'), 'the demo centre is there')
  const professionals = await app.inject({ method: 'GET', url: '/v1/professionals', headers: bearer(tokens.get('demo-admin')!) })
  t.same(professionals.json().items.map((p: { role: string }) => p.role).sort(), ['nurse', 'outreach_worker', 'psychologist', 'social_worker', 'study_counsellor', 'youth_counsellor'])
})
