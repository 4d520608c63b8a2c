// Webhook routes (partner tokens): register, list and delete endpoints; the delivery log and redelivery.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Principal } from '../../auth/principal.js'
import { ensureCan } from '../../authz/index.js'
import { ConflictError, NotFoundError, UnprocessableError } from '../../errors.js'
import { IdempotencyHeaders, idempotentCreate } from '../../http/idempotency.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { IdParams, responses } from '../../http/schemas.js'
import * as queries from './webhooks.queries.js'
import * as s from './webhooks.schemas.js'
import { newWebhookSecret } from './signature.js'
import { bareHost, type Resolution, type Resolve, resolveAllowed, systemResolve } from './address-policy.js'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])
const byCreation = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id })
const same = <T>(row: T) => row

export interface UrlPolicy {
  production: boolean
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: loopback and private addresses are accepted (never in production). */
  allowPrivate: boolean
  resolve?: Resolve
}

/** How long registration waits for DNS; a name that does not resolve yet is accepted and checked at every delivery. */
const REGISTRATION_DNS_MS = 2000

async function resolveAtRegistration(host: string, policy: UrlPolicy): Promise<Resolution | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>((done) => {
    timer = setTimeout(() => done(null), REGISTRATION_DNS_MS)
  })
  try {
    return await Promise.race([resolveAllowed(host, policy.resolve ?? systemResolve, policy.allowPrivate), timeout])
  } catch {
    return null
  } finally {
    clearTimeout(timer)
  }
}

/**
 * https only (plain http is for a receiver on this machine while developing or testing), and only
 * to public addresses: an IP literal is checked as written, a name by what it resolves to now.
 */
export async function checkWebhookUrl(raw: string, policy: UrlPolicy): Promise<string> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UnprocessableError('url is not a valid URL')
  }
  if (url.username || url.password) throw new UnprocessableError('url must not carry credentials; deliveries are signed instead')
  if (url.hash) throw new UnprocessableError('url must not have a fragment')
  const plainLoopback = url.protocol === 'http:' && !policy.production && LOOPBACK_HOSTS.has(url.hostname)
  if (url.protocol !== 'https:' && !plainLoopback) {
    throw new UnprocessableError(policy.production ? 'url must use https' : 'url must use https (http only for localhost or 127.0.0.1)')
  }
  const resolution = await resolveAtRegistration(bareHost(url), policy)
  if (resolution !== null && !resolution.ok) {
    throw new UnprocessableError(`url is refused: ${resolution.reason}; webhooks reach only public addresses`)
  }
  return url.toString()
}

/** The partner client behind the token: endpoint ownership always comes from here, never from the body. */
function partnerOf(principal: Principal): string {
  ensureCan(principal, 'manage', 'Webhook')
  if (principal.kind !== 'partner') throw new NotFoundError()
  return principal.partnerClientId
}

export function presentDelivery(row: queries.DeliveryRow) {
  return { ...row, nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null }
}

export const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.post(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook endpoint; its signing secret is shown once',
        operationId: 'createWebhook',
        headers: IdempotencyHeaders,
        body: s.CreateEndpoint,
        response: responses({ 201: s.EndpointWithSecret }, 403, 409, 422),
      },
    },
    async (request, reply) => {
      const partnerClientId = partnerOf(request.principal)
      const url = await checkWebhookUrl(request.body.url, {
        production: app.config.env === 'production',
        allowPrivate: app.config.webhookAllowPrivateNetworks,
      })
      const created = await idempotentCreate(request, reply, 201, async (tx) => {
        const secret = newWebhookSecret()
        const row = await queries.insertEndpoint(tx, { partnerClientId, url, events: request.body.events, secret })
        return { ...row, secret }
      })
      return reply.send(created!)
    },
  )

  app.get(
    '/webhooks',
    { schema: { tags: ['webhooks'], summary: "The caller's webhook endpoints", operationId: 'listWebhooks', querystring: s.ListQuery, response: responses({ 200: s.EndpointList }, 403) } },
    async (request, reply) => {
      const partnerClientId = partnerOf(request.principal)
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => queries.listEndpoints(tx, partnerClientId, page))
      return toPage(request, reply, page, rows, byCreation, same)
    },
  )

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook endpoint; its pending deliveries are not sent',
        operationId: 'deleteWebhook',
        params: IdParams,
        response: responses({ 204: Type.Null({ description: 'Deleted' }) }, 403, 404),
      },
    },
    async (request, reply) => {
      const partnerClientId = partnerOf(request.principal)
      const deleted = await db.transaction((tx) => queries.deactivateEndpoint(tx, partnerClientId, request.params.id))
      if (!deleted) throw new NotFoundError()
      return reply.code(204).removeHeader('content-type').send(undefined as never)
    },
  )

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'The delivery log of an endpoint: status, attempts and the last error of each event',
        operationId: 'listWebhookDeliveries',
        params: IdParams,
        querystring: s.ListQuery,
        response: responses({ 200: s.DeliveryList }, 403, 404),
      },
    },
    async (request, reply) => {
      const partnerClientId = partnerOf(request.principal)
      const page = pageRequest(request.query)
      const rows = await db.transaction(async (tx) => {
        if (!(await queries.findEndpoint(tx, partnerClientId, request.params.id))) return null
        return queries.listDeliveries(tx, request.params.id, page)
      })
      if (!rows) throw new NotFoundError()
      return toPage(request, reply, page, rows, byCreation, presentDelivery)
    },
  )

  app.post(
    '/webhooks/deliveries/:id/redeliver',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivered or dead-lettered event again, with the same event id',
        operationId: 'redeliverWebhookDelivery',
        params: IdParams,
        response: responses({ 200: s.Delivery }, 403, 404, 409),
      },
    },
    async (request) => {
      const partnerClientId = partnerOf(request.principal)
      const row = await db.transaction(async (tx) => {
        const delivery = await queries.lockDelivery(tx, partnerClientId, request.params.id)
        if (!delivery) throw new NotFoundError()
        if (delivery.status === 'pending') throw new ConflictError('This delivery is still pending; it will be attempted again')
        return queries.resetDelivery(tx, delivery.id)
      })
      return presentDelivery(row)
    },
  )
}
