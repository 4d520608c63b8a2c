// Bearer-JWT verification (algorithms, issuer, audience, exp and sub pinned) and principal resolution.
import { createPublicKey } from 'node:crypto'
import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { type JwtConfig, publicKeyAlgorithm } from '../config.js'
import { UnauthorizedError } from '../errors.js'
import { createJwksKeyStore } from './jwks.js'
import { checkTokenDates } from './token-dates.js'
import { PARTNER_SUBJECT_PREFIX, type Principal, resolvePrincipal, type TokenClaims } from './principal.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; set by `authenticate` on every /v1 route. */
    principal: Principal
    /**
     * Set when `principal` is remembered from an earlier request rather than looked up: the route's one
     * statement re-checks it (`principalStillHolds`) and, when it no longer holds, calls `principalAfresh`.
     */
    principalToVerify: TokenClaims | null
  }
  interface FastifyContextConfig {
    /** The route's one statement re-checks a remembered principal, so it needs no look-up of its own. */
    principalInStatement?: boolean
  }
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>
    /** Looks the caller up again (401 when the account is gone) after a statement found the remembered principal stale. */
    principalAfresh(request: FastifyRequest): Promise<void>
    /** A verified bearer token's subject, whether or not an account holds it yet (linking a login needs that). */
    verifiedSubject(request: FastifyRequest): Promise<{ subject: string; scopes: string[]; issuedAt: number }>
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; scope?: string }
    /** The whole verified token (header and claims); use `request.principal`, not this. */
    user: { header: { alg: string; kid?: string }; payload: { sub: string; scope?: string; iss: string; aud: string; exp: number } }
  }
}

interface DecodedToken {
  header?: { alg?: unknown; kid?: unknown }
  payload?: unknown
}

/** Picks the key by the token's algorithm: HS256 only ever meets the secret, RS/ES only a public key. */
function keyResolver(jwt: JwtConfig) {
  const pinned = jwt.publicKey === undefined ? undefined : publicKeyAlgorithm(jwt.publicKey)
  const publicPem =
    jwt.publicKey === undefined ? undefined : (createPublicKey(jwt.publicKey).export({ type: 'spki', format: 'pem' }) as string)
  const jwks = jwt.jwksUrl === undefined ? undefined : createJwksKeyStore(jwt.jwksUrl)
  return async (_request: FastifyRequest, token: DecodedToken): Promise<string> => {
    // Before the library reads them: it would crash on a date no clock can hold.
    checkTokenDates(token.payload, Date.now(), jwt.clockToleranceSeconds)
    const alg = token.header?.alg
    const kid = token.header?.kid
    if (alg === 'HS256' && jwt.secret !== undefined) return jwt.secret
    if (alg === pinned && publicPem !== undefined) return publicPem
    if (jwks !== undefined && (alg === 'RS256' || alg === 'ES256')) {
      const key = typeof kid === 'string' && kid.length <= 256 ? await jwks.publicKey(kid, alg) : undefined
      if (key !== undefined) return key
      throw new UnauthorizedError('The token was signed by a key this service does not know')
    }
    throw new UnauthorizedError('The token is signed with an algorithm this service does not accept')
  }
}

function algorithms(jwt: JwtConfig): string[] {
  const allowed: string[] = []
  if (jwt.secret !== undefined) allowed.push('HS256')
  if (jwt.publicKey !== undefined) allowed.push(publicKeyAlgorithm(jwt.publicKey))
  if (jwt.jwksUrl !== undefined) allowed.push('RS256', 'ES256')
  return allowed
}

/** How many principals a process remembers for the routes that re-check them in their statement. */
const REMEMBERED_PRINCIPALS = 10_000

interface VerifiedToken {
  header: { alg: string }
  payload: { sub?: unknown; exp?: unknown; iat?: unknown; scope?: unknown }
}

async function authenticatePlugin(app: FastifyInstance, { jwt }: { jwt: JwtConfig }): Promise<void> {
  await app.register(fastifyJwt, {
    secret: keyResolver(jwt) as never,
    decode: { complete: true },
    verify: {
      algorithms: algorithms(jwt) as never,
      allowedIss: jwt.issuer,
      allowedAud: jwt.audience,
      // fast-jwt checks allowedIss/allowedAud only when the claim is present: absent must fail too.
      requiredClaims: ['exp', 'sub', 'iss', 'aud'],
      clockTolerance: jwt.clockToleranceSeconds * 1000,
      complete: true,
      cache: false,
    },
  })

  app.decorateRequest('principal', null as never)
  app.decorate('verifiedSubject', async (request: FastifyRequest) => {
    const { header, payload } = (await request.jwtVerify()) as unknown as VerifiedToken
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || typeof payload.exp !== 'number') {
      throw new UnauthorizedError('The token must carry a subject and a numeric expiry')
    }
    // Partner tokens are minted by Polku alone; an external provider cannot speak for a partner client.
    if (payload.sub.startsWith(PARTNER_SUBJECT_PREFIX) && header.alg !== 'HS256') {
      throw new UnauthorizedError('The token does not belong to an active account')
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []
    return { subject: payload.sub, scopes, issuedAt: typeof payload.iat === 'number' ? payload.iat : 0 }
  })
  // Principals by token, for routes whose statement re-checks them; never trusted anywhere else.
  const remembered = new Map<string, Principal>()
  const keyOf = (claims: TokenClaims) => `${claims.issuedAt} ${claims.subject} ${claims.scopes.join(' ')}`
  async function lookUp(request: FastifyRequest, claims: TokenClaims): Promise<void> {
    // One prepared statement, no BEGIN/COMMIT: deactivation still counts from the very next request.
    const principal = await app.database.run((db) => resolvePrincipal(db, claims.subject, claims.scopes, claims.issuedAt))
    if (principal === null) throw new UnauthorizedError('The token does not belong to an active account')
    if (remembered.size >= REMEMBERED_PRINCIPALS) remembered.delete(remembered.keys().next().value!)
    remembered.set(keyOf(claims), principal)
    request.principal = principal
    request.principalToVerify = null
  }

  app.decorateRequest('principalToVerify', null)
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const claims = await app.verifiedSubject(request)
    const known = request.routeOptions.config.principalInStatement ? remembered.get(keyOf(claims)) : undefined
    if (known === undefined) return lookUp(request, claims)
    request.principal = known
    request.principalToVerify = claims
  })
  app.decorate('principalAfresh', async (request: FastifyRequest) => {
    const claims = request.principalToVerify
    if (claims === null) throw new Error('principalAfresh: the principal was looked up, not remembered')
    remembered.delete(keyOf(claims))
    await lookUp(request, claims)
  })
}

export const authenticate = fp(authenticatePlugin, { name: 'polku-authenticate', dependencies: ['polku-database'] })
