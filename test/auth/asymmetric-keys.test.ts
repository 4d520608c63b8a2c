// Tokens from an external identity provider: RS256/ES256 by JWT_PUBLIC_KEY or JWT_JWKS_URL, and the production key rules.
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSigner } from 'fast-jwt'
import t from 'tap'
import { ConfigError, loadConfig, testConfig } from '../../src/config.js'
import { createAdmin } from '../factories.js'
import { bearer, build } from '../helper.js'
import { asymmetric, goodClaims } from './jwt-kit.js'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = (key: typeof rsa.publicKey) => key.export({ type: 'spki', format: 'pem' }) as string

t.test('ES256 through JWT_PUBLIC_KEY: only that key and that algorithm are accepted', async (t) => {
  const app = await build(t, { config: { jwt: { ...testConfig().jwt, publicKey: pem(ec.publicKey) } } })
  const admin = await createAdmin(app)
  const get = (token: string) => app.inject({ method: 'GET', url: '/v1/agencies', headers: bearer(token) })

  const sign = createSigner({ key: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, algorithm: 'ES256', iss: 'polku', aud: 'polku-api', sub: admin.subject, expiresIn: 60_000 })
  const ok = await get(sign({}))
  t.equal(ok.statusCode, 200, 'a token signed by the provider key passes')
  t.same(ok.json(), { items: [], nextCursor: null })

  for (const [name, token] of [
    ['ES256 by another key', asymmetric('ES256', otherEc.privateKey, goodClaims(app, admin.subject))],
    ['RS256 when the configured key is EC', asymmetric('RS256', rsa.privateKey, goodClaims(app, admin.subject))],
  ] as const) {
    const res = await get(token)
    t.equal(res.statusCode, 401, name)
    t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"', name)
  }
})

t.test('JWT_JWKS_URL: the kid is looked up in the fetched set only, and unknown kids cannot flood the provider', async (t) => {
  let fetches = 0
  const jwks = {
    keys: [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256', use: 'sig' },
      { ...otherEc.publicKey.export({ format: 'jwk' }), kid: 'enc-1', alg: 'ES256', use: 'enc' },
    ],
  }
  const server = createServer((req, res) => {
    fetches++
    if (req.url !== '/.well-known/jwks.json') return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as AddressInfo

  const app = await build(t, { config: { jwt: { ...testConfig().jwt, jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` } } })
  const admin = await createAdmin(app)
  const claims = goodClaims(app, admin.subject)
  const get = (token: string) => app.inject({ method: 'GET', url: '/v1/agencies', headers: bearer(token) })

  const rsaSigner = createSigner({ key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, algorithm: 'RS256', kid: 'rsa-1', iss: 'polku', aud: 'polku-api', sub: admin.subject, expiresIn: 60_000 })
  t.equal((await get(rsaSigner({}))).statusCode, 200, 'RS256 with a published kid passes')
  t.equal((await get(asymmetric('ES256', ec.privateKey, claims, { kid: 'ec-1' }))).statusCode, 200, 'ES256 with a published kid passes')
  t.equal(fetches, 1, 'the key set is fetched once and cached')

  const refused: [string, string][] = [
    ['an unknown kid', asymmetric('RS256', rsa.privateKey, claims, { kid: 'rsa-2' })],
    ['no kid', asymmetric('RS256', rsa.privateKey, claims)],
    ['a published kid used with the other algorithm', asymmetric('ES256', ec.privateKey, claims, { kid: 'rsa-1' })],
    ['a published kid, signed by another key', asymmetric('ES256', otherEc.privateKey, claims, { kid: 'ec-1' })],
    ['a key published for encryption, not signing', asymmetric('ES256', otherEc.privateKey, claims, { kid: 'enc-1' })],
    ['a kid that is not a string', asymmetric('RS256', rsa.privateKey, claims, { kid: { $ne: null } })],
  ]
  for (const [name, token] of refused) {
    const res = await get(token)
    t.equal(res.statusCode, 401, name)
    t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"', name)
    t.match(res.headers['content-type'], /^application\/problem\+json/, name)
  }

  const before = fetches
  for (let i = 0; i < 5; i++) await get(asymmetric('RS256', rsa.privateKey, claims, { kid: randomUUID() }))
  t.ok(fetches - before <= 1, `five random kids cause at most one refetch (got ${fetches - before})`)
})

t.test('production refuses to start without a strong secret or a public key', async (t) => {
  const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://polku@db.example/polku', SESSION_KEY: 'ab'.repeat(32) }
  const strong = 'x'.repeat(32)
  t.throws(() => loadConfig(production), { name: 'ConfigError', message: /JWT_SECRET/ }, 'missing secret')
  t.throws(() => loadConfig({ ...production, JWT_SECRET: 'x'.repeat(31) }), { name: 'ConfigError', message: /JWT_SECRET/ }, 'a 31-byte secret')
  t.throws(() => loadConfig({ ...production, JWT_SECRET: 'polku-development-secret-change-me-0123456789' }), { message: /JWT_SECRET/ }, 'the development secret')
  t.throws(() => loadConfig({ ...production, JWT_SECRET: 'short', JWT_PUBLIC_KEY: pem(rsa.publicKey) }), { message: /JWT_SECRET/ }, 'a short secret even beside a public key')
  t.ok(catchError(() => loadConfig(production)) instanceof ConfigError, 'it is a ConfigError, so the process stops with one line')

  t.equal(loadConfig({ ...production, JWT_SECRET: strong }).jwt.secret, strong, 'a 32-byte secret starts')
  const withKey = loadConfig({ ...production, JWT_PUBLIC_KEY: pem(rsa.publicKey) })
  t.equal(withKey.jwt.secret, undefined, 'with only a public key, no development secret slips in')
  t.equal(withKey.jwt.publicKey, pem(rsa.publicKey))
  const oneLine = pem(ec.publicKey).trim().replaceAll('\n', '\\n')
  t.equal(loadConfig({ ...production, JWT_PUBLIC_KEY: oneLine }).jwt.publicKey, pem(ec.publicKey).trim(), 'a PEM with literal \\n, as env files hold it')
  t.equal(loadConfig({ ...production, JWT_JWKS_URL: 'https://idp.example/jwks.json' }).jwt.jwksUrl, 'https://idp.example/jwks.json')

  t.throws(() => loadConfig({ ...production, JWT_JWKS_URL: 'http://idp.example/jwks.json' }), { message: /JWT_JWKS_URL/ }, 'plain-http JWKS in production')
  t.throws(() => loadConfig({ ...production, JWT_PUBLIC_KEY: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }), { message: /JWT_PUBLIC_KEY/ }, 'a private key')
  t.throws(() => loadConfig({ ...production, JWT_PUBLIC_KEY: 'not a key' }), { message: /JWT_PUBLIC_KEY/ }, 'not a PEM')
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey
  t.throws(() => loadConfig({ ...production, JWT_PUBLIC_KEY: pem(weak) }), { message: /JWT_PUBLIC_KEY/ }, 'a 1024-bit RSA key')
  t.throws(() => loadConfig({ ...production, JWT_PUBLIC_KEY: pem(rsa.publicKey), JWT_JWKS_URL: 'https://idp.example/jwks.json' }), { message: /not both/ })
  t.ok((loadConfig({ NODE_ENV: 'development' }).jwt.secret?.length ?? 0) >= 32, 'development keeps a default secret')
})

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}
