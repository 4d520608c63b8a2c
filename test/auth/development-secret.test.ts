// The published development secret: accepted only with NODE_ENV=development set explicitly and no external identity provider.
import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { loadConfig, PUBLISHED_DEVELOPMENT_SECRET, PUBLISHED_DEVELOPMENT_SESSION_KEY, usesPublishedSecret } from '../../src/config.js'
import { createAccount } from '../../src/modules/demo/demo.seed.js'
import { bearer, build } from '../helper.js'
import { goodClaims, hs256 } from './jwt-kit.js'

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string
const JWKS = 'https://idp.example/.well-known/jwks.json'
const DEV = PUBLISHED_DEVELOPMENT_SECRET

t.test('the published secret, by default or given, stops the process anywhere but explicit development', async (t) => {
  const refused: [string, Record<string, string>][] = [
    ['NODE_ENV unset, nothing else', {}],
    ['NODE_ENV unset, the published secret given', { JWT_SECRET: DEV }],
    ['NODE_ENV empty', { NODE_ENV: '' }],
    ['NODE_ENV=test', { NODE_ENV: 'test' }],
    ['NODE_ENV=test, the published secret given', { NODE_ENV: 'test', JWT_SECRET: DEV }],
    ['NODE_ENV=production, the published secret given', { NODE_ENV: 'production', JWT_SECRET: DEV }],
    ['development, beside JWT_PUBLIC_KEY', { NODE_ENV: 'development', JWT_SECRET: DEV, JWT_PUBLIC_KEY: pem }],
    ['development, beside JWT_JWKS_URL', { NODE_ENV: 'development', JWT_SECRET: DEV, JWT_JWKS_URL: JWKS }],
    ['NODE_ENV unset, beside JWT_PUBLIC_KEY', { JWT_SECRET: DEV, JWT_PUBLIC_KEY: pem }],
  ]
  for (const [name, env] of refused) {
    t.throws(() => loadConfig({ POLKU_DATA_DIR: 'memory://', ...env }), { name: 'ConfigError', message: /^JWT_SECRET / }, name)
  }
})

t.test('where it is allowed, or not needed', async (t) => {
  const development = loadConfig({ NODE_ENV: 'development' })
  t.equal(development.jwt.secret, DEV, 'explicit development, no provider: the published secret, so npm start works on a fresh machine')
  t.ok(usesPublishedSecret(development), 'and the server warns about it')

  for (const [name, env] of [
    ['development with JWT_PUBLIC_KEY', { NODE_ENV: 'development', JWT_PUBLIC_KEY: pem }],
    ['development with JWT_JWKS_URL', { NODE_ENV: 'development', JWT_JWKS_URL: JWKS }],
    ['NODE_ENV unset with JWT_PUBLIC_KEY and an empty JWT_SECRET', { JWT_PUBLIC_KEY: pem, JWT_SECRET: '' }],
  ] as const) {
    const config = loadConfig(env)
    t.equal(config.jwt.secret, undefined, `${name}: no secret at all, so HS256 tokens are not accepted`)
    t.notOk(usesPublishedSecret(config))
  }
  const own = 'a-secret-of-this-test-that-is-32-bytes-or-more'
  t.equal(loadConfig({ NODE_ENV: 'test', JWT_SECRET: own }).jwt.secret, own, 'tests bring their own secret')
})

t.test("the published session key seals the page's cookies only in explicit development", async (t) => {
  const own = 'a-secret-of-this-test-that-is-32-bytes-or-more'
  const session = PUBLISHED_DEVELOPMENT_SESSION_KEY
  for (const [name, env] of [
    ['NODE_ENV unset', { JWT_SECRET: own, SESSION_KEY: session }],
    ['NODE_ENV=test', { NODE_ENV: 'test', JWT_SECRET: own, SESSION_KEY: session }],
    ['NODE_ENV=production', { NODE_ENV: 'production', JWT_SECRET: own, SESSION_KEY: session }],
  ] as const) {
    t.throws(() => loadConfig({ POLKU_DATA_DIR: 'memory://', ...env }), { name: 'ConfigError', message: /^SESSION_KEY is the published development key/ }, name)
  }
  t.equal(loadConfig({ NODE_ENV: 'development' }).page.sessionKey.toString('hex'), session, 'npm start: sessions survive a restart of the development server')
  const first = loadConfig({ NODE_ENV: 'test', JWT_SECRET: own }).page.sessionKey
  const second = loadConfig({ NODE_ENV: 'test', JWT_SECRET: own }).page.sessionKey
  t.not(first.toString('hex'), session, 'no key given outside development: not the published one')
  t.not(first.toString('hex'), second.toString('hex'), 'but a key of the process alone')
  t.throws(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: own, DATABASE_URL: 'postgres://polku@db.example/polku' }), { message: /^SESSION_KEY .*must be set in production/ })
})

t.test('with a public key and no secret, a token signed with the published secret is refused', async (t) => {
  // The reported case: JWT_PUBLIC_KEY set, JWT_SECRET empty, NODE_ENV unset.
  const jwt = loadConfig({ JWT_PUBLIC_KEY: pem, JWT_SECRET: '' }).jwt
  const app = await build(t, { config: { jwt } })
  const subject = 'admin-of-the-reported-case'
  await app.database.transaction((tx) => createAccount(tx, 'admin', subject))
  const res = await app.inject({ method: 'GET', url: '/v1/agencies', headers: bearer(hs256(DEV, goodClaims(app, subject))) })
  t.equal(res.statusCode, 401, res.body)
  t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"')
})
