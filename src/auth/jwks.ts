// Public keys of an external identity provider from its JWKS URL: fetched whole, cached, looked up by kid.
import { createPublicKey, type JsonWebKey } from 'node:crypto'

export type AsymmetricAlgorithm = 'RS256' | 'ES256'

export interface JwksOptions {
  /** How long a fetched key set is trusted before it is fetched again. */
  ttlMs?: number
  /** An unknown kid refetches the set at most this often, so random kids cannot flood the provider. */
  refetchCooldownMs?: number
  timeoutMs?: number
}

interface Jwk extends JsonWebKey {
  kid?: string
  alg?: string
  use?: string
}

/** The key shape each accepted algorithm needs; anything else in the set is ignored. */
function fits(jwk: Jwk, alg: AsymmetricAlgorithm): boolean {
  if (jwk.alg !== undefined && jwk.alg !== alg) return false
  if (jwk.use !== undefined && jwk.use !== 'sig') return false
  return alg === 'RS256' ? jwk.kty === 'RSA' : jwk.kty === 'EC' && jwk.crv === 'P-256'
}

function toPem(jwk: Jwk): string | undefined {
  try {
    const { kty, n, e, crv, x, y } = jwk
    return createPublicKey({ key: { kty, n, e, crv, x, y } as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string
  } catch {
    return undefined
  }
}

export function createJwksKeyStore(url: string, options: JwksOptions = {}) {
  const ttlMs = options.ttlMs ?? 10 * 60_000
  const cooldownMs = options.refetchCooldownMs ?? 30_000
  const timeoutMs = options.timeoutMs ?? 5_000
  let keys: Jwk[] = []
  let pems = new Map<string, string | undefined>()
  let fetchedAt = Number.NEGATIVE_INFINITY
  let inFlight: Promise<void> | undefined

  async function refresh(): Promise<void> {
    inFlight ??= (async () => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } })
        if (!response.ok) throw new Error(`JWKS request failed with ${response.status}`)
        const body = (await response.json()) as { keys?: unknown }
        keys = Array.isArray(body.keys) ? (body.keys.filter((k) => k && typeof k === 'object') as Jwk[]) : []
        pems = new Map()
      } finally {
        // A failed fetch also starts the cooldown: a provider that is down is not hammered either.
        fetchedAt = Date.now()
        inFlight = undefined
      }
    })()
    return inFlight
  }

  function find(kid: string, alg: AsymmetricAlgorithm): string | undefined {
    const cacheKey = `${alg} ${kid}`
    if (pems.has(cacheKey)) return pems.get(cacheKey)
    const jwk = keys.find((k) => k.kid === kid && fits(k, alg))
    const pem = jwk === undefined ? undefined : toPem(jwk)
    if (pem !== undefined) pems.set(cacheKey, pem)
    return pem
  }

  return {
    /** The PEM of the key `kid` for `alg`, or undefined when the provider does not publish it. */
    async publicKey(kid: string, alg: AsymmetricAlgorithm): Promise<string | undefined> {
      const age = Date.now() - fetchedAt
      if (age > ttlMs) await refresh().catch(() => undefined)
      const known = find(kid, alg)
      if (known !== undefined || Date.now() - fetchedAt < cooldownMs) return known
      await refresh().catch(() => undefined)
      return find(kid, alg)
    },
  }
}
