// Linking a login, shared by the API and the page: the wrong-code limit, the service, and its outcome.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { RateLimitedError } from '../../errors.js'
import { LinkRefusedError, redeemLinkCode } from './link-codes.service.js'

export function tooManyCodes(seconds: number): Error {
  const error = new RateLimitedError(`Too many wrong codes; try again in ${seconds} s`)
  return Object.assign(error, { headers: { 'retry-after': String(seconds) } })
}

/** The one way a login becomes a young person's own: the page's link form calls the same service. */
export type LinkOutcome = { wait: number } | { result: { youngPersonId: string } | LinkRefusedError }

export async function linkLogin(app: FastifyInstance, request: FastifyRequest, subject: string, code: string): Promise<LinkOutcome> {
  const wait = await app.linkAttempts.wait(request, subject)
  if (wait > 0) return { wait }
  const result = await redeemLinkCode(app.database, request, subject, code)
  if (result instanceof LinkRefusedError && result.reason !== 'already_linked') await app.linkAttempts.failed(request, subject)
  return { result }
}

