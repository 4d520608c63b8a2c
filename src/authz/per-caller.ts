// Hot statements rendered once per caller: who the caller is decides everything in them but the placeholders.
import type { FastifyRequest } from 'fastify'

/** How many callers' statements each hot path keeps; the oldest is dropped first. */
const CALLERS_KEPT = 1000

/**
 * What `make` builds for this caller (and `variant`, e.g. a first or a later page), made once and kept:
 * everything that follows from who the caller is (their rules, their consents' grantee, the remembered
 * claims a statement re-checks) is in the key. Consents are never in what is kept: each statement
 * checks them in its own snapshot.
 */
export function perCaller<T>(kept: Map<string, T>, request: FastifyRequest, variant: unknown, make: () => T): T {
  const key = JSON.stringify([request.principal, request.principalToVerify, variant])
  const known = kept.get(key)
  if (known !== undefined) return known
  const made = make()
  if (kept.size >= CALLERS_KEPT) kept.delete(kept.keys().next().value as string)
  kept.set(key, made)
  return made
}
