// Mints the tokens Polku signs itself: operator CLI tokens and partner access tokens (HS256).
import { createSigner } from 'fast-jwt'
import type { JwtConfig } from '../config.js'

export interface MintOptions {
  subject: string
  ttlSeconds: number
  scope?: string[]
}

export function mintToken(jwt: JwtConfig, { subject, ttlSeconds, scope }: MintOptions): string {
  if (jwt.secret === undefined) throw new Error('JWT_SECRET is not configured: Polku cannot sign tokens')
  const sign = createSigner({
    key: jwt.secret,
    algorithm: 'HS256',
    iss: jwt.issuer,
    aud: jwt.audience,
    sub: subject,
    expiresIn: ttlSeconds * 1000,
  })
  return sign(scope ? { scope: scope.join(' ') } : {})
}
