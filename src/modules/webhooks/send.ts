// One webhook POST: resolve the host once, refuse non-public addresses, connect only to the addresses checked.
import type { LookupAddress } from 'node:dns'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { bareHost, type Resolve, resolveAllowed } from './address-policy.js'

export type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string }

export interface SendOptions {
  resolve: Resolve
  allowPrivate: boolean
  timeoutMs: number
}

/** A lookup that answers only with the addresses already checked: the connection cannot be rebound elsewhere. */
export function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const usable = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses
    const [first] = usable
    if (first === undefined) {
      callback(Object.assign(new Error('no address of the requested family'), { code: 'ENOTFOUND' }), '', 4)
    } else if (options.all) {
      ;(callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, usable)
    } else {
      callback(null, first.address, first.family)
    }
  }
}

function post(url: URL, headers: Record<string, string>, body: string, lookup: LookupFunction, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest
    // agent: false, so no pooled socket opened for an earlier answer is reused.
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, signal, agent: false }, (res) => {
      // The body is never read or stored: a receiver's answer may hold anything.
      res.destroy()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** POSTs `body` to `rawUrl`; redirects are not followed, and the answer's body is never read. */
export async function send(rawUrl: string, headers: Record<string, string>, body: string, options: SendOptions): Promise<Outcome> {
  const signal = AbortSignal.timeout(options.timeoutMs)
  try {
    const url = new URL(rawUrl)
    const resolution = await Promise.race([
      resolveAllowed(bareHost(url), options.resolve, options.allowPrivate),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
    ])
    if (!resolution.ok) return { ok: false, status: null, error: `refused: ${resolution.reason}`.slice(0, 200) }
    const status = await post(url, headers, body, pinnedLookup(resolution.addresses), signal)
    if (status >= 200 && status < 300) return { ok: true, status }
    return { ok: false, status, error: `HTTP ${status}` }
  } catch (error) {
    const err = error as Error & { code?: string; cause?: { code?: string } }
    const reason = signal.aborted ? `timed out after ${options.timeoutMs} ms` : (err.code ?? err.cause?.code ?? err.name)
    return { ok: false, status: null, error: reason.slice(0, 200) }
  }
}
