// Polku-Signature: HMAC-SHA256 over "<unix seconds>.<raw body>", in the style of widely used webhook APIs.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'polku-signature'

/** A new endpoint's signing secret (shown to the partner once). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

export function signatureHeader(secret: string, rawBody: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex')
  return `t=${unixSeconds},v1=${mac}`
}

/**
 * What a receiver does: recompute the HMAC over the raw body, compare in constant time, and refuse
 * a timestamp outside the tolerance (a replayed old delivery).
 */
export function verifySignature(secret: string, header: string | undefined, rawBody: string, toleranceSeconds = 300, now = Date.now()): boolean {
  if (!header) return false
  const parts = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]))
  const t = Number(parts.get('t'))
  const given = parts.get('v1')
  if (!Number.isInteger(t) || !given || !/^[0-9a-f]{64}$/.test(given)) return false
  if (Math.abs(now / 1000 - t) > toleranceSeconds) return false
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest()
  return timingSafeEqual(expected, Buffer.from(given, 'hex'))
}
