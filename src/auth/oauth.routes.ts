// POST /v1/oauth/token: OAuth 2.0 client credentials (RFC 6749 §4.4) for partner systems.
import formbody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { eq } from 'drizzle-orm'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { partnerClients } from '../db/schema/registry.js'
import { RateLimitedError } from '../errors.js'
import { responses } from '../http/schemas.js'
import { PARTNER_SUBJECT_PREFIX } from './principal.js'
import { DUMMY_HASH, verifySecret } from './secrets.js'
import { mintToken } from './tokens.js'

const TokenRequest = Type.Object(
  {
    grant_type: Type.Optional(Type.String({ maxLength: 64, description: 'Must be client_credentials' })),
    client_id: Type.Optional(Type.String({ maxLength: 128, description: 'The client id (or use HTTP Basic)' })),
    client_secret: Type.Optional(Type.String({ maxLength: 256, description: 'The client secret (or use HTTP Basic)' })),
    scope: Type.Optional(Type.String({ maxLength: 512, description: 'Space-separated scopes; defaults to all the client may use' })),
  },
  { additionalProperties: false, title: 'TokenRequest' },
)

const TokenResponse = Type.Object(
  {
    access_token: Type.String({ description: 'A JWT to send as `Authorization: Bearer`' }),
    token_type: Type.Literal('Bearer', { description: 'Always Bearer' }),
    expires_in: Type.Integer({ description: 'Lifetime in seconds' }),
    scope: Type.String({ description: 'The granted scopes, space-separated' }),
  },
  { additionalProperties: false, title: 'TokenResponse' },
)

const OAuthError = Type.Object(
  {
    error: Type.Enum(['invalid_request', 'invalid_client', 'invalid_scope', 'unsupported_grant_type'], {
      description: 'RFC 6749 §5.2 error code',
    }),
    error_description: Type.String({ description: 'What went wrong' }),
  },
  { additionalProperties: false, title: 'OAuthError' },
)

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type'

function oauthError(reply: FastifyReply, status: 400 | 401, error: OAuthErrorCode, description: string) {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="polku", charset="UTF-8"')
  return reply.code(status).type('application/json; charset=utf-8').header('cache-control', 'no-store').send({ error, error_description: description })
}

/** Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1); a bad escape is a failed login, not a crash. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '))
  } catch {
    return undefined
  }
}

type TokenBody = { client_id?: string; client_secret?: string } | undefined

/** Client credentials from HTTP Basic (preferred by RFC 6749 §2.3.1) or the body; never both. */
function credentials(request: FastifyRequest): { id?: string; secret?: string; bothMethods: boolean } {
  const body = request.body as TokenBody
  const header = request.headers.authorization
  if (typeof header !== 'string' || !/^Basic /i.test(header)) {
    return { id: body?.client_id, secret: body?.client_secret, bothMethods: false }
  }
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const bothMethods = body?.client_secret !== undefined
  if (colon <= 0) return { bothMethods }
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)), bothMethods }
}

/** Body errors on this route are answered in RFC 6749 §5.2 form; everything else goes to the problem+json handler. */
function tokenErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const badBody = error.validation !== undefined || (error.statusCode === 400 && error.code?.startsWith('FST_ERR_CTP_'))
  if (badBody) return oauthError(reply, 400, 'invalid_request', 'The token request is malformed: send grant_type, and the client credentials, form-encoded or as JSON')
  throw error
}

export const oauthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Form bodies are accepted here only, as RFC 6749 asks; every other route takes JSON.
  await app.register(formbody)
  if (app.config.jwt.secret === undefined) {
    app.log.warn('JWT_SECRET is not set: POST /v1/oauth/token is disabled, partner systems cannot get tokens')
    return
  }
  const perWindow = { max: app.config.tokenRateLimitPerMinute, timeWindow: '1 minute' }
  // Two buckets, both counted on every request: the plugin's route hook runs only one limiter per request.
  const limiters = [
    app.createRateLimit({ ...perWindow, keyGenerator: (request) => `token-ip:${request.ip}` }),
    app.createRateLimit({ ...perWindow, keyGenerator: (request) => `token-client:${credentials(request).id ?? request.ip}` }),
  ]
  const rateLimited = async (request: FastifyRequest) => {
    for (const limiter of limiters) {
      const result = await limiter(request)
      if (!result.isAllowed && result.isExceeded) {
        const error = new RateLimitedError(`Too many token requests; retry in ${result.ttlInSeconds} s`)
        throw Object.assign(error, { headers: { 'retry-after': String(result.ttlInSeconds) } })
      }
    }
  }
  app.post(
    '/oauth/token',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange partner client credentials for an access token',
        description: 'OAuth 2.0 client credentials grant (RFC 6749 §4.4). Errors follow RFC 6749 §5.2.',
        security: [],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequest,
        response: { ...responses({ 200: TokenResponse }), 400: OAuthError, 401: OAuthError } as {
          200: typeof TokenResponse
          400: typeof OAuthError
          401: typeof OAuthError
        },
      },
      errorHandler: tokenErrorHandler,
      config: { rateLimit: false },
      preHandler: rateLimited,
    },
    async (request, reply) => {
      const grantType = request.body.grant_type
      if (grantType === undefined) return oauthError(reply, 400, 'invalid_request', 'grant_type is required')
      if (grantType !== 'client_credentials') {
        return oauthError(reply, 400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported')
      }
      const { id, secret, bothMethods } = credentials(request)
      if (bothMethods) return oauthError(reply, 400, 'invalid_request', 'Send the client credentials in the Authorization header or in the body, not both')
      if (!id || !secret) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed')
      const [client] = await app.database.transaction((tx) =>
        tx.select().from(partnerClients).where(eq(partnerClients.clientId, id)),
      )
      // The hash is checked even for an unknown client, so timing does not tell which client ids exist.
      const valid = await verifySecret(secret, client?.secretHash ?? DUMMY_HASH)
      if (!client || !valid || !client.active) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed')

      const asked = [...new Set(request.body.scope?.split(' ').filter(Boolean) ?? [])]
      const granted = asked.length > 0 ? asked : client.scopes
      const refused = granted.filter((scope) => !(client.scopes as string[]).includes(scope))
      if (refused.length > 0) {
        return oauthError(reply, 400, 'invalid_scope', `Scope not allowed for this client: ${refused.join(' ')}`)
      }
      const ttl = app.config.jwt.partnerTokenTtlSeconds
      const token = mintToken(app.config.jwt, { subject: `${PARTNER_SUBJECT_PREFIX}${client.clientId}`, ttlSeconds: ttl, scope: granted })
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      return reply.code(200).send({ access_token: token, token_type: 'Bearer' as const, expires_in: ttl, scope: granted.join(' ') })
    },
  )
}
