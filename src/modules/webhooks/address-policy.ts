// Which addresses a webhook may reach: public unicast only (ipaddr.js names the ranges), checked after DNS resolution.
import type { LookupAddress } from 'node:dns'
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'

/** Resolves a host name to every address it has (the worker's default is the system resolver). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>

export const systemResolve: Resolve = (hostname) => lookup(hostname, { all: true, verbatim: true })

/** Plain words for the ranges a partner is most likely to hit; any other special range is named as ipaddr.js names it. */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  linkLocal: 'a link-local address (where cloud metadata services answer)',
  private: 'a private network address',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  unspecified: 'an unspecified address',
  uniqueLocal: 'an IPv6 unique-local address',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  reserved: 'a reserved address',
}

/** Why a webhook may not be sent to `address`, or null for a public unicast address. */
export function refusedAddress(address: string): string | null {
  if (isIP(address) === 0) return 'not an IP address'
  const range = ipaddr.parse(address).range()
  if (range === 'unicast') return null
  return RANGE_WORDS[range] ?? `a special-purpose address (${range})`
}

/** RFC 6761: `localhost` and every name under it is loopback, whatever a resolver says. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  return name === 'localhost' || name.endsWith('.localhost')
}

/** A URL's host without IPv6 brackets: an IP literal or a name. */
export function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
}

export type Resolution = { ok: true; addresses: LookupAddress[] } | { ok: false; reason: string }

/**
 * Resolves `host` once and checks every address it gave. The caller connects to exactly these
 * addresses (see `pinnedLookup`), so a second, different DNS answer can never be used.
 */
export async function resolveAllowed(host: string, resolve: Resolve, allowPrivate: boolean): Promise<Resolution> {
  if (!allowPrivate && isLocalhostName(host)) return { ok: false, reason: `${host} is a loopback name` }
  const family = isIP(host)
  const addresses = family !== 0 ? [{ address: host, family }] : await resolve(host)
  if (addresses.length === 0) return { ok: false, reason: `${host} has no address` }
  if (allowPrivate) return { ok: true, addresses }
  for (const { address } of addresses) {
    const reason = refusedAddress(address)
    if (reason !== null) return { ok: false, reason: address === host ? `${host} is ${reason}` : `${host} resolves to ${address}, ${reason}` }
  }
  return { ok: true, addresses }
}
