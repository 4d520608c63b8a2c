// Token dates (exp, nbf, iat) must be times a clock can hold, checked before the JWT library compares them.
import { UnauthorizedError } from '../errors.js'

/** 9999-12-31T23:59:59Z: the last second an RFC 3339 timestamp can name. */
export const LATEST_NUMERIC_DATE = 253_402_300_799

const DATE_CLAIMS = ['exp', 'nbf', 'iat'] as const

/**
 * Refuses a token whose `exp`, `nbf` or `iat` is not a number between 1970 and 9999, or that says
 * it was issued in the future. The library would turn such values into a crash (500) or a token
 * that never expires; a wrong date is a bad token, so it is a 401 like every other.
 */
export function checkTokenDates(payload: unknown, nowMs: number, toleranceSeconds: number): void {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return
  const claims = payload as Record<string, unknown>
  for (const name of DATE_CLAIMS) {
    const value = claims[name]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > LATEST_NUMERIC_DATE) {
      throw new UnauthorizedError(`The token's ${name} is not a valid date`)
    }
  }
  const iat = claims.iat
  if (typeof iat === 'number' && iat > nowMs / 1000 + toleranceSeconds) {
    throw new UnauthorizedError('The token says it was issued in the future')
  }
}
