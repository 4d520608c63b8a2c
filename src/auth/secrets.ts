// Client secrets: generated at random, stored only as a slow scrypt hash, compared in constant time.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>
const PARAMS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }

export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scryptAsync(secret, salt, 32, PARAMS)
  return `scrypt$${PARAMS.N}$${salt.toString('base64url')}$${hash.toString('base64url')}`
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !n || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, { ...PARAMS, N: Number(n) })
  return timingSafeEqual(actual, expected)
}

/** Spends the same time as a real check, so an unknown client id cannot be told from a bad secret. */
export const DUMMY_HASH = 'scrypt$16384$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
