// Error codes and the one error handler: every failure leaves as RFC 9457 application/problem+json.
import createError from '@fastify/error'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export const NotFoundError = createError('POLKU_NOT_FOUND', 'The requested resource was not found', 404)
export const UnauthorizedError = createError('POLKU_UNAUTHORIZED', '%s', 401)
export const ForbiddenError = createError('POLKU_FORBIDDEN', '%s', 403)
export const ConflictError = createError('POLKU_CONFLICT', '%s', 409)
export const UnprocessableError = createError('POLKU_UNPROCESSABLE', '%s', 422)
export const BadRequestError = createError('POLKU_BAD_REQUEST', '%s', 400)
export const PreconditionFailedError = createError(
  'POLKU_PRECONDITION_FAILED',
  'The resource has changed since it was read; fetch it again and retry with the new ETag',
  412,
)
export const PreconditionRequiredError = createError(
  'POLKU_PRECONDITION_REQUIRED',
  'This update needs an If-Match header with the ETag of the version it changes',
  428,
)
export const RateLimitedError = createError('POLKU_RATE_LIMITED', '%s', 429)
export const DatabaseUnavailableError = createError(
  'POLKU_DATABASE_UNAVAILABLE',
  'The service cannot reach its database right now; retry shortly',
  503,
)

export const ShuttingDownError = createError('POLKU_SHUTTING_DOWN', 'This instance is shutting down; retry shortly', 503)

/** Load shedding: the instance is busy (`limit` says which limit); carries its own Retry-After. */
export class OverloadedError extends Error {
  readonly code = 'POLKU_OVERLOADED'
  readonly statusCode = 503
  constructor(
    readonly limit: string,
    readonly retryAfter: string,
  ) {
    super('The service is busy; retry shortly')
    this.name = 'OverloadedError'
  }
}

/** One field that failed validation. */
export interface FieldError {
  field: string
  message: string
}

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  instance?: string
  code: string
  requestId: string
  errors?: FieldError[]
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** SQLSTATE classes and driver codes that mean "the database is not there right now". */
const UNAVAILABLE_SQLSTATE = /^(08|53|57|58)/
const UNAVAILABLE_DRIVER_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
])
const RETRYABLE_SQLSTATE = new Set(['40001', '40P01', '55P03'])

/** The database error behind `error` (drizzle wraps driver errors in `cause`), if any. */
function databaseCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || UNAVAILABLE_DRIVER_CODES.has(code))) return code
    if ((current as { name?: string }).name === 'DrizzleQueryError' && !(current as { cause?: unknown }).cause) return 'XX000'
    current = (current as { cause?: unknown }).cause
  }
  if (error && typeof error === 'object' && (error as Error).name === 'DrizzleQueryError') return 'XX000'
  return undefined
}

/** Fastify's own body errors, renamed into Polku's codes so clients see one vocabulary. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'POLKU_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'POLKU_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'POLKU_MALFORMED_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'POLKU_MALFORMED_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'POLKU_MALFORMED_BODY',
}

/** The problem code each failed request answered with; the request's one log line carries it. */
const problemCodes = new WeakMap<FastifyRequest, string>()

export function problemCodeOf(request: FastifyRequest): string | undefined {
  return problemCodes.get(request)
}

function slug(code: string): string {
  return code.replace(/^(POLKU|FST)_/, '').toLowerCase().replaceAll('_', '-')
}

export function problem(request: FastifyRequest, status: number, code: string, detail: string, errors?: FieldError[]): Problem {
  return {
    type: `urn:polku:problem:${slug(code)}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: request.url.split('?')[0],
    code,
    requestId: String(request.id),
    ...(errors ? { errors } : {}),
  }
}

export function sendProblem(reply: FastifyReply, body: Problem, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(body.status).headers(headers).type('application/problem+json').send(body)
}

interface AjvError {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

function fieldErrors(error: FastifyError): FieldError[] {
  const context = (error as { validationContext?: string }).validationContext ?? 'body'
  return ((error.validation ?? []) as AjvError[]).map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.')
    const extra = issue.params.additionalProperty ?? issue.params.missingProperty
    const field = [context, path, typeof extra === 'string' ? extra : ''].filter(Boolean).join('.')
    const message =
      issue.keyword === 'additionalProperties' ? 'is not an accepted property' : (issue.message ?? 'is invalid')
    return { field, message }
  })
}

/** One classification of every failure; the API renders it as problem+json, the young person's page as HTML. */
export function classify(error: FastifyError & { headers?: Record<string, string> }): {
  status: number
  code: string
  detail: string
  errors?: FieldError[]
  headers?: Record<string, string>
} {
  if (error.validation) {
    const errors = fieldErrors(error)
    return { status: 400, code: 'POLKU_VALIDATION', detail: `Invalid request: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors }
  }
  if (error instanceof OverloadedError) {
    return { status: 503, code: error.code, detail: error.message, headers: { 'retry-after': error.retryAfter } }
  }
  if (error.code === 'POLKU_SHUTTING_DOWN') return { status: 503, code: error.code, detail: error.message, headers: { 'retry-after': '1' } }
  const dbCode = databaseCode(error)
  if (error.code?.startsWith('FST_JWT') || error.code === 'FAST_JWT_VERIFY_ERROR' || error.code?.startsWith('FAST_JWT')) {
    return { status: 401, code: 'POLKU_INVALID_TOKEN', detail: 'A valid bearer token is required', headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }
  }
  if (error.code === 'POLKU_DATABASE_UNAVAILABLE' || (dbCode && (UNAVAILABLE_SQLSTATE.test(dbCode) || UNAVAILABLE_DRIVER_CODES.has(dbCode) || RETRYABLE_SQLSTATE.has(dbCode)))) {
    return { status: 503, code: 'POLKU_DATABASE_UNAVAILABLE', detail: 'The service cannot reach its database right now; retry shortly', headers: { 'retry-after': '5' } }
  }
  // Raised by the closed-pathway triggers (migrations/0006): a closed pathway is read-only until reopened.
  if (dbCode === 'PL409') return { status: 409, code: 'POLKU_PATHWAY_CLOSED', detail: 'The pathway is closed: it is read-only until it is reopened' }
  if (dbCode === 'PL422') return { status: 422, code: 'POLKU_UNPROCESSABLE', detail: 'A pathway is closed with POST …/pathway/close and a reason, and reopened with POST …/pathway/reopen' }
  if (dbCode === '23505') return { status: 409, code: 'POLKU_CONFLICT', detail: 'A record with the same unique value already exists' }
  if (dbCode === '23503') return { status: 422, code: 'POLKU_UNPROCESSABLE', detail: 'A referenced record does not exist' }
  if (dbCode?.startsWith('22') || dbCode === '23514') return { status: 400, code: 'POLKU_BAD_REQUEST', detail: 'A value in the request is out of range or malformed' }
  if (dbCode) return { status: 500, code: 'POLKU_INTERNAL', detail: 'An unexpected error occurred' }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
  if (status >= 500) {
    return { status, code: status === 503 ? 'POLKU_UNAVAILABLE' : 'POLKU_INTERNAL', detail: status === 503 ? 'The service is unavailable; retry shortly' : 'An unexpected error occurred', headers: status === 503 ? { 'retry-after': '5' } : undefined }
  }
  if (status === 401) {
    return { status, code: error.code ?? 'POLKU_UNAUTHORIZED', detail: error.message, headers: { 'www-authenticate': 'Bearer error="invalid_token"', ...error.headers } }
  }
  if (status === 415) return { status, code: FASTIFY_CODES[error.code] ?? error.code, detail: 'Unsupported content type; send application/json' }
  return { status, code: FASTIFY_CODES[error.code] ?? error.code ?? 'POLKU_ERROR', detail: error.message, headers: error.headers }
}

/** What may be logged about an error: never a database message, SQL or parameter. */
export function loggable(error: FastifyError): Record<string, unknown> {
  const dbCode = databaseCode(error)
  if (dbCode) return { type: 'DatabaseError', code: dbCode }
  return { type: error.name, code: error.code, message: error.message, stack: error.stack }
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, code, detail, errors, headers } = classify(error)
    // 4xx and shed requests are logged once, by the request's completion line; other 5xx also get
    // the (sanitised) error. An error line per shed request would add load where there is too much.
    // A shed request or one that arrives during shutdown is expected, not a failure of this instance.
    const expected = error instanceof OverloadedError || error.code === 'POLKU_SHUTTING_DOWN'
    if (status >= 500 && !expected) request.log.error({ err: loggable(error), status }, 'request failed')
    problemCodes.set(request, code)
    return sendProblem(reply, problem(request, status, code, detail, errors), headers)
  })
  app.setNotFoundHandler((request, reply) => {
    // A known path asked with another method: 405 and the methods it has (RFC 9110 §15.5.6).
    const allowed = request.server.allowedMethods?.(request) ?? []
    if (allowed.length > 0) {
      problemCodes.set(request, 'POLKU_METHOD_NOT_ALLOWED')
      const detail = `${request.method} is not allowed here; use ${allowed.join(', ')}`
      return sendProblem(reply, problem(request, 405, 'POLKU_METHOD_NOT_ALLOWED', detail), { allow: allowed.join(', ') })
    }
    problemCodes.set(request, 'POLKU_ROUTE_NOT_FOUND')
    return sendProblem(reply, problem(request, 404, 'POLKU_ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`))
  })
}
