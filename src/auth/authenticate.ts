// Bearer-JWT verification (algorithms, issuer, audience, exp and sub pinned) and principal resolution.
import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import buildGetJwks from 'get-jwks'
import type { JwtConfig } from '../config.js'
import { UnauthorizedError } from '../errors.js'
import { type Principal, resolvePrincipal } from './principal.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; set by `authenticate` on every /v1 route. */
    principal: Principal
  }
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; scope?: string }
    user: { sub: string; scope?: string; iss: string; aud: string; exp: number }
  }
}

const ASYMMETRIC = ['RS256', 'ES256'] as const

interface DecodedToken {
  header: { alg?: string; kid?: string }
  payload: { iss?: string }
}

/** Picks the key by the token's algorithm: HS256 only ever meets the secret, RS/ES only the public key. */
function keyResolver(jwt: JwtConfig) {
  const jwksUrl = jwt.jwksUrl === undefined ? undefined : new URL(jwt.jwksUrl)
  const jwks =
    jwksUrl === undefined
      ? undefined
      : buildGetJwks({ jwksPath: jwksUrl.pathname, providerDiscovery: false, max: 100, ttl: 10 * 60 * 1000 })
  return async (_request: FastifyRequest, token: DecodedToken): Promise<string> => {
    const alg = token.header?.alg
    if (alg === 'HS256' && jwt.secret !== undefined) return jwt.secret
    if (alg !== undefined && (ASYMMETRIC as readonly string[]).includes(alg)) {
      if (jwt.publicKey !== undefined) return jwt.publicKey
      if (jwks !== undefined && jwksUrl !== undefined && typeof token.header.kid === 'string') {
        try {
          return await jwks.getPublicKey({ domain: jwksUrl.origin, alg, kid: token.header.kid })
        } catch {
          throw new UnauthorizedError('The token was signed by an unknown key')
        }
      }
    }
    throw new UnauthorizedError('The token is signed with an algorithm this service does not accept')
  }
}

function algorithms(jwt: JwtConfig): string[] {
  const allowed: string[] = []
  if (jwt.secret !== undefined) allowed.push('HS256')
  if (jwt.publicKey !== undefined || jwt.jwksUrl !== undefined) allowed.push(...ASYMMETRIC)
  return allowed
}

async function authenticatePlugin(app: FastifyInstance, { jwt }: { jwt: JwtConfig }): Promise<void> {
  await app.register(fastifyJwt, {
    secret: keyResolver(jwt) as never,
    decode: { complete: true },
    verify: {
      algorithms: algorithms(jwt) as never,
      allowedIss: jwt.issuer,
      allowedAud: jwt.audience,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: jwt.clockToleranceSeconds * 1000,
      cache: false,
    },
  })

  app.decorateRequest('principal', null as never)
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const claims = (await request.jwtVerify()) as { sub?: unknown; exp?: unknown; scope?: unknown }
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || typeof claims.exp !== 'number') {
      throw new UnauthorizedError('The token must carry a subject and a numeric expiry')
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : []
    const subject = claims.sub
    const principal = await app.database.transaction((tx) => resolvePrincipal(tx, subject, scopes))
    if (principal === null) throw new UnauthorizedError('The token does not belong to an active account')
    request.principal = principal
  })
}

export const authenticate = fp(authenticatePlugin, { name: 'polku-authenticate', dependencies: ['polku-database'] })
