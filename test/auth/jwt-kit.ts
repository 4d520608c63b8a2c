// Hand-built JWTs for tests: every byte of header, payload and signature is what the test says.
import { createHmac, type KeyObject, sign } from 'node:crypto'
import type { FastifyInstance } from 'fastify'

export type Json = Record<string, unknown>

export const b64url = (value: Json | string): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

export const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** Claims Polku accepts for `sub`: its issuer, its audience, a ten-minute expiry. */
export function goodClaims(app: FastifyInstance, sub: string, extra: Json = {}): Json {
  const now = nowSeconds()
  return { sub, iss: app.config.jwt.issuer, aud: app.config.jwt.audience, iat: now, exp: now + 600, ...extra }
}

/** An HS256 token; `header` is merged over `{alg: 'HS256', typ: 'JWT'}`. */
export function hs256(secret: string | Buffer, payload: Json, header: Json = {}): string {
  return hs256Text(secret, JSON.stringify(payload), header)
}

/** An HS256 token over payload text as given, for JSON that `JSON.stringify` cannot write (e.g. `1e400`). */
export function hs256Text(secret: string | Buffer, payload: string, header: Json = {}): string {
  const input = `${b64url({ alg: 'HS256', typ: 'JWT', ...header })}.${b64url(payload)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

/** An RS256 or ES256 token (ES256 signatures are raw r‖s, as JWS requires). */
export function asymmetric(alg: 'RS256' | 'ES256', privateKey: KeyObject, payload: Json, header: Json = {}): string {
  const input = `${b64url({ alg, typ: 'JWT', ...header })}.${b64url(payload)}`
  const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey)
  return `${input}.${signature.toString('base64url')}`
}

/** The claims of a token, read without verifying it. */
export function claimsOf(token: string): Json {
  const [, payload] = token.split('.')
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Json
}
