// POST /v1/oauth/token: OAuth 2.0 client credentials (RFC 6749 §4.4) for partner systems.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { eq } from 'drizzle-orm'
import { Type } from 'typebox'
import { partnerClients } from '../db/schema/index.js'
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
  { additionalProperties: false },
)

const TokenResponse = Type.Object(
  {
    access_token: Type.String({ description: 'A JWT to send as `Authorization: Bearer`' }),
    token_type: Type.Literal('Bearer', { description: 'Always Bearer' }),
    expires_in: Type.Integer({ description: 'Lifetime in seconds' }),
    scope: Type.String({ description: 'The granted scopes, space-separated' }),
  },
  { additionalProperties: false },
)

const OAuthError = Type.Object(
  {
    error: Type.Enum(['invalid_request', 'invalid_client', 'invalid_scope', 'unsupported_grant_type'], {
      description: 'RFC 6749 §5.2 error code',
    }),
    error_description: Type.String({ description: 'What went wrong' }),
  },
  { additionalProperties: false },
)

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type'

function oauthError(reply: FastifyReply, status: 400 | 401, error: OAuthErrorCode, description: string) {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="polku", charset="UTF-8"')
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description })
}

/** Client credentials from HTTP Basic (preferred by RFC 6749 §2.3.1) or the body. */
function credentials(request: FastifyRequest<{ Body: { client_id?: string; client_secret?: string } }>) {
  const header = request.headers.authorization
  if (typeof header === 'string' && header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) {
      return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) }
    }
  }
  return { id: request.body?.client_id, secret: request.body?.client_secret }
}

export const oauthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const perWindow = { max: app.config.tokenRateLimitPerMinute, timeWindow: '1 minute' }
  app.post(
    '/oauth/token',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange partner client credentials for an access token',
        security: [],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequest,
        response: { ...responses({ 200: TokenResponse }), 400: OAuthError, 401: OAuthError } as { 200: typeof TokenResponse; 400: typeof OAuthError; 401: typeof OAuthError },
      },
      config: { rateLimit: false },
      preHandler: [
        app.rateLimit({ ...perWindow, keyGenerator: (request) => `token-ip:${request.ip}` }),
        app.rateLimit({
          ...perWindow,
          keyGenerator: (request) => `token-client:${credentials(request as never).id ?? request.ip}`,
        }),
      ],
    },
    async (request, reply) => {
      if (request.body?.grant_type !== 'client_credentials') {
        return oauthError(reply, 400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported')
      }
      const { id, secret } = credentials(request)
      if (!id || !secret) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed')
      const [client] = await app.database.transaction((tx) =>
        tx.select().from(partnerClients).where(eq(partnerClients.clientId, id)),
      )
      const valid = await verifySecret(secret, client?.secretHash ?? DUMMY_HASH)
      if (!client || !valid || !client.active) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed')

      const requested = request.body.scope?.split(' ').filter(Boolean) ?? client.scopes
      const unknown = requested.filter((s) => !(client.scopes as string[]).includes(s))
      if (unknown.length > 0) {
        return oauthError(reply, 400, 'invalid_scope', `Scope not allowed for this client: ${unknown.join(' ')}`)
      }
      const ttl = app.config.jwt.partnerTokenTtlSeconds
      const token = mintToken(app.config.jwt, { subject: `${PARTNER_SUBJECT_PREFIX}${client.clientId}`, ttlSeconds: ttl, scope: requested })
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      return reply.code(200).send({ access_token: token, token_type: 'Bearer' as const, expires_in: ttl, scope: requested.join(' ') })
    },
  )
}
