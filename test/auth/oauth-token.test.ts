// POST /v1/oauth/token: client credentials for partner systems, with RFC 6749 §5.2 errors and rate limits.
import t from 'tap'
import { createAdmin, createAgency, createPartnerClient } from '../factories.js'
import { bearer, build } from '../helper.js'
import { claimsOf, nowSeconds } from './jwt-kit.js'

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

t.test('token endpoint', async (t) => {
  const app = await build(t, { config: { tokenRateLimitPerMinute: 1000 } })
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { kind: 'employment_service' })
  const client = await createPartnerClient(app, admin, { agencyId: agency.id, scopes: ['stats:read', 'visits:write'] })

  const token = (payload: string | object, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/v1/oauth/token',
      headers: typeof payload === 'string' ? { 'content-type': 'application/x-www-form-urlencoded', ...headers } : headers,
      payload,
    })

  function expectOAuthError(t: Tap, res: Awaited<ReturnType<typeof token>>, status: number, error: string) {
    t.equal(res.statusCode, status, res.body)
    t.match(res.headers['content-type'], /^application\/json/)
    t.equal(res.headers['cache-control'], 'no-store')
    t.same(Object.keys(res.json()).sort(), ['error', 'error_description'])
    t.equal(res.json().error, error)
  }
  type Tap = typeof t

  await t.test('form-encoded credentials → a Bearer token that authenticates the partner', async (t) => {
    const res = await token(form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }))
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.headers['cache-control'], 'no-store')
    const body = res.json()
    t.same(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type'])
    t.match(body, { token_type: 'Bearer', expires_in: app.config.jwt.partnerTokenTtlSeconds, scope: 'stats:read visits:write' })
    const claims = claimsOf(body.access_token)
    t.match(claims, { sub: `partner:${client.clientId}`, iss: app.config.jwt.issuer, aud: app.config.jwt.audience, scope: 'stats:read visits:write' })
    t.ok(Math.abs((claims.exp as number) - nowSeconds() - app.config.jwt.partnerTokenTtlSeconds) <= 5, 'exp is now + expires_in')

    const used = await app.inject({ method: 'GET', url: '/v1/agencies', headers: bearer(body.access_token) })
    t.equal(used.statusCode, 403, 'the token authenticates (403: authenticated, not allowed here), not 401')
    t.match(used.json(), { code: 'POLKU_FORBIDDEN' })
  })

  await t.test('JSON body and a narrower scope', async (t) => {
    const res = await token({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'stats:read' })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.json().scope, 'stats:read')
    t.equal(claimsOf(res.json().access_token).scope, 'stats:read')
  })

  await t.test('HTTP Basic credentials (RFC 6749 §2.3.1)', async (t) => {
    const res = await token(form({ grant_type: 'client_credentials', scope: 'visits:write' }), { authorization: basic(client.clientId, client.clientSecret) })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.json().scope, 'visits:write')
    const wrong = await token(form({ grant_type: 'client_credentials' }), { authorization: basic(client.clientId, 'nope') })
    expectOAuthError(t, wrong, 401, 'invalid_client')
    t.match(wrong.headers['www-authenticate'], /^Basic /)
    const malformed = await token(form({ grant_type: 'client_credentials' }), { authorization: `Basic ${Buffer.from('%E0%A4%A:x%zz').toString('base64')}` })
    expectOAuthError(t, malformed, 401, 'invalid_client')
    const twoMethods = await token(form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }), { authorization: basic(client.clientId, client.clientSecret) })
    expectOAuthError(t, twoMethods, 400, 'invalid_request')
  })

  await t.test('bad or missing credentials → 401 invalid_client', async (t) => {
    expectOAuthError(t, await token(form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: `${client.clientSecret}x` })), 401, 'invalid_client')
    expectOAuthError(t, await token(form({ grant_type: 'client_credentials', client_id: 'pc_unknown', client_secret: client.clientSecret })), 401, 'invalid_client')
    expectOAuthError(t, await token(form({ grant_type: 'client_credentials', client_id: client.clientId })), 401, 'invalid_client')
    expectOAuthError(t, await token(form({ grant_type: 'client_credentials' })), 401, 'invalid_client')
  })

  await t.test('scopes: unknown or not allowed → 400 invalid_scope; empty means all allowed', async (t) => {
    const creds = { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }
    expectOAuthError(t, await token(form({ ...creds, scope: 'stats:read admin' })), 400, 'invalid_scope')
    expectOAuthError(t, await token(form({ ...creds, scope: 'pathway:read' })), 400, 'invalid_scope')
    const empty = await token(form({ ...creds, scope: '' }))
    t.equal(empty.statusCode, 200)
    t.equal(empty.json().scope, 'stats:read visits:write')
    const repeated = await token(form({ ...creds, scope: 'stats:read  stats:read' }))
    t.equal(repeated.json().scope, 'stats:read', 'a repeated scope is granted once')
  })

  await t.test('grant types and malformed requests', async (t) => {
    const creds = { client_id: client.clientId, client_secret: client.clientSecret }
    expectOAuthError(t, await token(form({ ...creds, grant_type: 'password' })), 400, 'unsupported_grant_type')
    expectOAuthError(t, await token(form({ ...creds, grant_type: 'authorization_code' })), 400, 'unsupported_grant_type')
    expectOAuthError(t, await token(form(creds)), 400, 'invalid_request')
    expectOAuthError(t, await token({ ...creds, grant_type: 'client_credentials', extra: 1 }), 400, 'invalid_request')
    expectOAuthError(t, await token({ ...creds, grant_type: 'client_credentials', scope: { any: 'object' } }), 400, 'invalid_request')
    expectOAuthError(t, await token('{"grant_type":', { 'content-type': 'application/json' }), 400, 'invalid_request')
    const noBody = await app.inject({ method: 'POST', url: '/v1/oauth/token' })
    expectOAuthError(t, noBody, 400, 'invalid_request')
  })

  await t.test('rotated secret: the old one fails, the new one works, tokens issued before stop working', async (t) => {
    const before = await token(form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }))
    const held = bearer(before.json().access_token)
    t.equal((await app.inject({ method: 'GET', url: '/v1/agencies', headers: held })).statusCode, 403, 'authenticated before the rotation')
    // iat has one-second resolution: rotate in a later second than the token was issued.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const rotated = await app.inject({ method: 'POST', url: `/v1/partner-clients/${client.id}/rotate-secret`, headers: admin.headers })
    t.equal(rotated.statusCode, 200)
    const fresh = rotated.json().clientSecret as string
    expectOAuthError(t, await token(form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret })), 401, 'invalid_client')
    const res = await token(form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: fresh }))
    t.equal(res.statusCode, 200)
    t.equal((await app.inject({ method: 'GET', url: '/v1/agencies', headers: bearer(res.json().access_token) })).statusCode, 403, 'the new token authenticates')
    const old = await app.inject({ method: 'GET', url: '/v1/agencies', headers: held })
    t.equal(old.statusCode, 401, 'the token issued before the rotation is refused')
    t.equal(old.headers['www-authenticate'], 'Bearer error="invalid_token"')
  })

  await t.test('a disabled client gets no token, and the token it already holds stops working', async (t) => {
    const other = await createPartnerClient(app, admin, { agencyId: agency.id, scopes: ['stats:read'] })
    const issued = await token(form({ grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.clientSecret }))
    t.equal(issued.statusCode, 200)
    const held = bearer(issued.json().access_token)
    t.equal((await app.inject({ method: 'GET', url: '/v1/agencies', headers: held })).statusCode, 403, 'works before')

    const disabled = await app.inject({ method: 'POST', url: `/v1/partner-clients/${other.id}/disable`, headers: admin.headers })
    t.equal(disabled.statusCode, 200)
    t.equal(disabled.json().active, false)

    expectOAuthError(t, await token(form({ grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.clientSecret })), 401, 'invalid_client')
    const after = await app.inject({ method: 'GET', url: '/v1/agencies', headers: held })
    t.equal(after.statusCode, 401)
    t.equal(after.headers['www-authenticate'], 'Bearer error="invalid_token"')
  })
})

t.test('the token endpoint is rate-limited per IP and per client, with Retry-After', async (t) => {
  const app = await build(t, { config: { tokenRateLimitPerMinute: 3 } })
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin)
  const client = await createPartnerClient(app, admin, { agencyId: agency.id, scopes: ['stats:read'] })
  const attempt = (remoteAddress: string, clientId = client.clientId, secret = client.clientSecret) =>
    app.inject({ method: 'POST', url: '/v1/oauth/token', remoteAddress, payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret } })

  for (let i = 0; i < 3; i++) t.equal((await attempt('10.0.0.1', `pc_guess_${i}`, 'x')).statusCode, 401, `guess ${i + 1} is answered`)
  const limited = await attempt('10.0.0.1')
  t.equal(limited.statusCode, 429, 'the fourth request from one IP is refused, even with good credentials')
  t.match(limited.headers['retry-after'], /^\d+$/)
  t.ok(Number(limited.headers['retry-after']) > 0 && Number(limited.headers['retry-after']) <= 60)
  t.match(limited.headers['content-type'], /^application\/problem\+json/)
  t.match(limited.json(), { status: 429, code: 'POLKU_RATE_LIMITED' })

  for (let i = 0; i < 3; i++) t.equal((await attempt(`10.0.1.${i}`)).statusCode, 200, `client request ${i + 1} from a new IP`)
  const perClient = await attempt('10.0.2.1')
  t.equal(perClient.statusCode, 429, 'the fourth request for one client is refused from yet another IP')
  t.match(perClient.headers['retry-after'], /^\d+$/)
})
