// Hostile bearer tokens: every one is refused with 401 problem+json and `Bearer error="invalid_token"`, never a 500.
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { testConfig } from '../../src/config.js'
import { createAdmin, createAgency, createPartnerClient, createProfessional } from '../factories.js'
import { bearer, build } from '../helper.js'
import { asymmetric, b64url, goodClaims, hs256, hs256Text, nowSeconds } from './jwt-kit.js'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 })

function versionAtLeast(version: string, minimum: string): boolean {
  const [a = 0, b = 0, c = 0] = version.split('-')[0]!.split('.').map(Number)
  const [x = 0, y = 0, z = 0] = minimum.split('.').map(Number)
  return a !== x ? a > x : b !== y ? b > y : c >= z
}

t.test('fast-jwt is at least 6.3.1, both at the top level and where @fastify/jwt resolves it', async (t) => {
  const require = createRequire(import.meta.url)
  const top = require('fast-jwt/package.json') as { version: string }
  const fromPlugin = createRequire(require.resolve('@fastify/jwt'))('fast-jwt/package.json') as { version: string }
  t.ok(versionAtLeast(top.version, '6.3.1'), `fast-jwt ${top.version} >= 6.3.1`)
  t.ok(versionAtLeast(fromPlugin.version, '6.3.1'), `fast-jwt used by @fastify/jwt (${dirname(require.resolve('@fastify/jwt'))}) is ${fromPlugin.version}`)
  t.notOk(versionAtLeast('6.3.0', '6.3.1'), 'the comparison itself refuses an older version')
})

t.test('hostile tokens', async (t) => {
  const app = await build(t, { config: { jwt: { ...testConfig().jwt, publicKey: rsaPublicPem } } })
  const secret = app.config.jwt.secret!
  const admin = await createAdmin(app)
  const other = await createAdmin(app)
  const partner = await createPartnerClient(app, admin, { agencyId: (await createAgency(app, admin)).id, scopes: ['stats:read'] })
  const partnerClaims = goodClaims(app, `partner:${partner.clientId}`, { scope: 'stats:read' })
  const good = (extra: Record<string, unknown> = {}) => goodClaims(app, admin.subject, extra)
  const now = nowSeconds()

  const get = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/v1/agencies', headers })

  await t.test('the baseline: well-formed tokens are accepted, so each refusal below is the hostile part', async (t) => {
    t.equal((await get(bearer(hs256(secret, good())))).statusCode, 200, 'admin, HS256')
    t.equal((await get(bearer(asymmetric('RS256', rsa.privateKey, good())))).statusCode, 200, 'admin, RS256')
    t.equal((await get(bearer(hs256(secret, partnerClaims)))).statusCode, 403, 'partner, HS256: authenticated, not allowed')
  })

  const valid = hs256(secret, good())
  const [validHeader, , validSignature] = valid.split('.')
  const cases: [string, Record<string, string>][] = [
    ['alg none, no signature', bearer(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(good())}.`)],
    ['alg NONE, upper case', bearer(`${b64url({ alg: 'NONE', typ: 'JWT' })}.${b64url(good())}.`)],
    ['HS256 signed with the RSA public key PEM as HMAC secret (key confusion)', bearer(hs256(rsaPublicPem, good()))],
    ['HS256 with the public key in DER as HMAC secret', bearer(hs256(rsa.publicKey.export({ type: 'spki', format: 'der' }), good()))],
    ['tampered payload: another subject under the first signature', bearer(`${validHeader}.${b64url(goodClaims(app, other.subject))}.${validSignature}`)],
    ['tampered payload: a later expiry under the old signature', bearer(`${validHeader}.${b64url(good({ exp: now + 86_400 }))}.${validSignature}`)],
    ['RS256 signed by a key the service does not know', bearer(asymmetric('RS256', stranger.privateKey, good()))],
    ['HS384, an algorithm that is not accepted, with the right secret', bearer(hs256(secret, good(), { alg: 'HS384' }))],
    ['expired an hour ago', bearer(hs256(secret, good({ iat: now - 7200, exp: now - 3600 })))],
    ['nbf an hour in the future', bearer(hs256(secret, good({ nbf: now + 3600 })))],
    ['no exp', bearer(hs256(secret, { sub: admin.subject, iss: app.config.jwt.issuer, aud: app.config.jwt.audience, iat: now }))],
    ['no sub', bearer(hs256(secret, { iss: app.config.jwt.issuer, aud: app.config.jwt.audience, iat: now, exp: now + 600 }))],
    ['empty sub', bearer(hs256(secret, good({ sub: '' })))],
    ['sub as a number', bearer(hs256(secret, good({ sub: 42 })))],
    ['wrong iss', bearer(hs256(secret, good({ iss: 'https://evil.example' })))],
    ['no iss', bearer(hs256(secret, good({ iss: undefined })))],
    ['wrong aud', bearer(hs256(secret, good({ aud: 'another-api' })))],
    ['no aud', bearer(hs256(secret, good({ aud: undefined })))],
    ['aud listing only other audiences', bearer(hs256(secret, good({ aud: ['another-api', 'third-api'] })))],
    ['iss as an array holding the right issuer', bearer(hs256(secret, good({ iss: [app.config.jwt.issuer] })))],
    ['exp as a string', bearer(hs256(secret, good({ exp: String(now + 600) })))],
    ['unknown crit header', bearer(hs256(secret, good(), { crit: ['x-polku-unknown'], 'x-polku-unknown': true }))],
    ['crit naming a header that is absent', bearer(hs256(secret, good(), { crit: ['x-absent'] }))],
    ['garbage', bearer('garbage')],
    ['garbage with dots', bearer('not.a.jwt')],
    ['header that is not JSON', bearer(`${b64url('{"alg":')}.${b64url(good())}.${validSignature}`)],
    ['payload that is a JSON array', bearer(hs256(secret, [1, 2] as never))],
    ['Basic scheme', { authorization: `Basic ${Buffer.from(`${admin.subject}:secret`).toString('base64')}` }],
    ['token without a scheme', { authorization: valid }],
    ['missing header', {}],
    ['empty bearer', { authorization: 'Bearer ' }],
    ['bearer with no token at all', { authorization: 'Bearer' }],
    ['a token for an unknown subject', bearer(hs256(secret, goodClaims(app, 'nobody-by-this-name')))],
    ['a partner subject signed by the external key (only Polku mints partner tokens)', bearer(asymmetric('RS256', rsa.privateKey, partnerClaims))],
    // Correctly signed, with dates no clock can hold: refused as tokens, never a crash.
    ['exp -1e20', bearer(hs256(secret, good({ exp: -1e20 })))],
    ['exp 1e20', bearer(hs256(secret, good({ exp: 1e20 })))],
    ['exp 1e308', bearer(hs256(secret, good({ exp: 1e308 })))],
    ['exp 1e400 in the JSON (Infinity once parsed)', bearer(hs256Text(secret, JSON.stringify(good({ exp: 0 })).replace('"exp":0', '"exp":1e400')))],
    ['RS256 from the external provider with exp 1e20', bearer(asymmetric('RS256', rsa.privateKey, good({ exp: 1e20 })))],
    ['RS256 from the external provider with nbf 1e20', bearer(asymmetric('RS256', rsa.privateKey, good({ nbf: 1e20 })))],
    ['exp fractional beyond the calendar', bearer(hs256(secret, good({ exp: 8.64e15 + 0.5 })))],
    ['nbf 1e20', bearer(hs256(secret, good({ nbf: 1e20 })))],
    ['nbf -1e20', bearer(hs256(secret, good({ nbf: -1e20 })))],
    ['nbf as a string', bearer(hs256(secret, good({ nbf: 'now' })))],
    ['iat 1e20', bearer(hs256(secret, good({ iat: 1e20 })))],
    ['iat -1e20', bearer(hs256(secret, good({ iat: -1e20 })))],
    ['iat as a string', bearer(hs256(secret, good({ iat: 'yesterday' })))],
    ['iat an hour in the future', bearer(hs256(secret, good({ iat: now + 3600 })))],
    ['partner token with iat -1e20', bearer(hs256(secret, { ...partnerClaims, iat: -1e20 }))],
    ['partner token with iat 1e20', bearer(hs256(secret, { ...partnerClaims, iat: 1e20 }))],
  ]

  for (const [name, headers] of cases) {
    await t.test(name, async (t) => {
      const res = await get(headers)
      t.equal(res.statusCode, 401, res.body)
      t.match(res.headers['content-type'], /^application\/problem\+json/)
      t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"')
      const body = res.json()
      t.match(body, { status: 401, title: 'Unauthorized', instance: '/v1/agencies', type: String, code: String, detail: String })
      t.notMatch(res.body, /stack|at .*\.js|FAST_JWT/i, 'no internals in the body')
    })
  }
})

t.test('a deactivated professional is refused on the very next request', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { kind: 'youth_work' })
  const pro = await createProfessional(app, admin, { agencyId: agency.id, role: 'outreach_worker' })

  const before = await app.inject({ method: 'GET', url: '/v1/agencies', headers: pro.headers })
  t.equal(before.statusCode, 200, 'a professional may list agencies')

  const off = await app.inject({ method: 'POST', url: `/v1/professionals/${pro.id}/deactivate`, headers: admin.headers })
  t.equal(off.statusCode, 200)
  t.match(off.json(), { id: pro.id, active: false })

  const after = await app.inject({ method: 'GET', url: '/v1/agencies', headers: pro.headers })
  t.equal(after.statusCode, 401)
  t.equal(after.headers['www-authenticate'], 'Bearer error="invalid_token"')
  t.match(after.json(), { status: 401, detail: 'The token does not belong to an active account' })

  const again = await app.inject({ method: 'POST', url: `/v1/professionals/${pro.id}/deactivate`, headers: admin.headers })
  t.equal(again.statusCode, 200, 'deactivating twice is harmless')
  t.match(again.json(), { active: false })
})
