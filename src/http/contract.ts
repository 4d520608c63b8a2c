// What every route answers besides its own responses (401, 413, 415, 429, …), empty bodies, and 405.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import FindMyWay from 'find-my-way'
import { type TSchema, Type } from 'typebox'
import { problemResponse } from './schemas.js'

/** What the plumbing knows about one operation, for the document (`METHOD /openapi/{path}` → facts). */
export interface OperationFacts {
  /** The body carries nothing required: a missing body, an empty one and `{}` are the same. */
  bodyOptional: boolean
  /** The global per-principal limiter runs, so RateLimit-* headers are sent. */
  rateLimitHeaders: boolean
}

export type ContractFacts = Map<string, OperationFacts>

export const NoBody = Type.Object({}, { additionalProperties: false, description: 'Nothing is needed: send no body, an empty body or `{}`' })

/** `/v1/goals/:id` → `/v1/goals/{id}`, the path as the document names it. */
export const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

const hasProperty = (schema: unknown, name: string) =>
  typeof schema === 'object' && schema !== null && name in ((schema as { properties?: object }).properties ?? {})

const requiredCount = (schema: unknown) => ((schema as { required?: unknown[] } | undefined)?.required ?? []).length

/** The error statuses a route can answer because of what it is, not because of what its handler does. */
function plumbingStatuses(route: RouteOptions, schema: NonNullable<RouteOptions['schema']>): number[] {
  const url = route.url
  // 500: an unexpected failure (rolled back); 503: the database is down or the server is shutting down.
  const statuses: number[] = [500, 503]
  const validates = ['body', 'querystring', 'params', 'headers'].some((part) => part in schema)
  if (validates) statuses.push(400)
  const security = (schema as { security?: unknown[] }).security
  if (url.startsWith('/v1/') && (security === undefined || security.length > 0)) statuses.push(401)
  if (url.startsWith('/v1/')) statuses.push(429)
  if (schema.body) statuses.push(413, 415)
  if (hasProperty(schema.headers, 'idempotency-key')) statuses.push(409, 422)
  if (hasProperty(schema.headers, 'if-match')) statuses.push(412, 428)
  return statuses
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])

/** Lengths that formats imply; any other string without its own limit gets the default of its side. */
const FORMAT_LENGTH: Record<string, number> = { uuid: 36, date: 10, 'date-time': 40, email: 254, uri: 2048 }

/**
 * Bounds for what a schema leaves open: requests are refused beyond them, responses never exceed
 * them (schemas are shared by both). Limits a schema sets itself always win.
 */
const DEFAULT_BOUNDS = { maxLength: 10_000, maxItems: 10_000 }

export function bound(node: unknown, seen = new Set<unknown>()): void {
  if (!node || typeof node !== 'object' || seen.has(node)) return
  seen.add(node)
  if (Array.isArray(node)) {
    for (const item of node) bound(item, seen)
    return
  }
  const schema = node as Record<string, unknown>
  const types = [schema.type].flat()
  const open = !('enum' in schema) && !('const' in schema)
  if (types.includes('string') && open && schema.maxLength === undefined) {
    schema.maxLength = FORMAT_LENGTH[schema.format as string] ?? DEFAULT_BOUNDS.maxLength
  }
  if (types.includes('array') && schema.maxItems === undefined) schema.maxItems = DEFAULT_BOUNDS.maxItems
  if (types.includes('integer')) {
    schema.minimum ??= -2_147_483_648
    schema.maximum ??= schema.minimum === 1 || schema.minimum === 0 ? Number.MAX_SAFE_INTEGER : 2_147_483_647
    schema.format ??= (schema.maximum as number) > 2_147_483_647 ? 'int64' : 'int32'
  }
  for (const value of Object.values(schema)) bound(value, seen)
}

/**
 * The `onRoute` side of the contract: every route (also the ones added later) documents the
 * statuses its plumbing can answer, a POST without a body schema takes nothing (not anything),
 * and a body with no required property may be left out.
 */
export function registerContract(app: FastifyInstance, facts: ContractFacts): void {
  const router = FindMyWay()
  const allowed = new Map<string, Set<string>>()
  const methodsOf = (url: string) => allowed.get(url) ?? allowed.set(url, new Set()).get(url)!

  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat()
    const methodSet = methodsOf(route.url)
    for (const method of methods) {
      if (!methodSet.has(method)) {
        if (methodSet.size === 0) router.on('GET', route.url, () => undefined, { url: route.url })
        methodSet.add(method)
        if (method === 'GET') methodSet.add('HEAD')
      }
    }
    const schema = route.schema as (NonNullable<RouteOptions['schema']> & { hide?: boolean; body?: TSchema }) | undefined
    if (!schema || schema.hide) return
    if (!schema.body && methods.some((m) => BODY_METHODS.has(m))) schema.body = NoBody
    for (const part of ['body', 'querystring', 'params', 'headers', 'response'] as const) bound(schema[part])
    const bodyOptional = schema.body !== undefined && requiredCount(schema.body) === 0 && (schema.body as { type?: string }).type === 'object'
    if (bodyOptional) {
      const previous = route.preValidation
      const missingBodyIsEmpty = async (request: FastifyRequest) => {
        request.body ??= {}
      }
      route.preValidation = [missingBodyIsEmpty, ...[previous ?? []].flat()] as RouteOptions['preValidation']
    }
    if (schema.response) {
      const response = schema.response as Record<string, unknown>
      for (const status of plumbingStatuses(route, schema)) response[status] ??= problemResponse(status)
    }
    const rateLimited = route.url.startsWith('/v1/') && (route.config as { rateLimit?: unknown } | undefined)?.rateLimit !== false
    for (const method of methods) {
      facts.set(`${method} ${openapiPath(route.url)}`, { bodyOptional, rateLimitHeaders: rateLimited })
    }
  })

  // An empty JSON body is "no body" where the body is optional; elsewhere it stays a malformed body.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const route = facts.get(`${request.method} ${openapiPath(request.routeOptions.url ?? '')}`)
    if (body === '' && route?.bodyOptional) return done(null, undefined)
    return parseJson(request, body as string, done)
  })

  app.decorate('allowedMethods', (request: FastifyRequest): string[] => {
    const match = router.find('GET', request.url.split('?')[0]!)
    const url = (match?.store as { url?: string } | undefined)?.url
    return url ? [...methodsOf(url)].sort() : []
  })
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods a path is served with (for 405 and `Allow`); empty when no route has the path. */
    allowedMethods(request: FastifyRequest): string[]
  }
}
