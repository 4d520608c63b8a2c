// Finishes the OpenAPI document generated from the routes: shared components, problem+json, headers, examples.
import { sample } from 'openapi-sampler'
import type { ContractFacts } from './contract.js'
import { schemasWithExamples, withExamples } from './examples.js'
import { OPERATIONS } from './operations.js'
import { nameSchemas } from './schema-names.js'
import { webhookDocumentation } from './webhook-events.js'

type Json = Record<string, unknown>
type Schema = Json & { title?: string; properties?: Record<string, Json>; $ref?: string }

nameSchemas()

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const

const header = (description: string, schema: Json, required = false) => ({ description, required, schema })

/** Response headers, declared once in components and referred to by name. */
export const HEADERS = {
  'X-Request-Id': header('The request id (yours when you sent a valid one); quote it when reporting a problem', { type: 'string', maxLength: 128 }, true),
  'Retry-After': header('Seconds to wait before retrying', { type: 'string', pattern: '^[0-9]{1,6}$', maxLength: 6 }, true),
  'WWW-Authenticate': header('`Bearer error="invalid_token"` (RFC 6750)', { type: 'string', maxLength: 200 }, true),
  // Not required: an answer that carries ids and status only (the caller's consent has ended) has no version to give.
  ETag: header('The version of the resource; send it back as If-Match to change it (absent when the answer carries ids and status only)', { type: 'string', maxLength: 100 }),
  Link: header('`<…>; rel="next"` when there is a next page', { type: 'string', maxLength: 2048 }),
  'Idempotent-Replayed': header('`true` when this is the stored response of an earlier request with the same Idempotency-Key', { type: 'string', enum: ['true'] }),
  'RateLimit-Limit': header('Requests allowed per minute for the caller (IETF RateLimit header fields)', { type: 'string', pattern: '^[0-9]{1,9}$', maxLength: 9 }),
  'RateLimit-Remaining': header('Requests left in the current window', { type: 'string', pattern: '^[0-9]{1,9}$', maxLength: 9 }),
  'RateLimit-Reset': header('Seconds until the window resets', { type: 'string', pattern: '^[0-9]{1,9}$', maxLength: 9 }),
} as const

export type ContractHeader = keyof typeof HEADERS

/** Shared problem responses of the rate-limited API, by status. */
const PROBLEM_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  413: 'ContentTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  428: 'PreconditionRequired',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
}

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` })

/** Canonical JSON without descriptions: two schemas that differ only in wording are one component. */
function shape(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(shape).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => k !== 'description')
      .sort()
      .map((k) => `${k}:${shape((value as Json)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

/** Moves every titled schema to `components.schemas` and leaves a `$ref` (with its own description) in its place. */
function extractComponents(document: Json): void {
  const all = document.components as Json
  all.schemas ??= {}
  const components = all.schemas as Record<string, Schema>
  const shapes = new Map<string, string>()
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit)
    if (!node || typeof node !== 'object') return node
    const copy: Json = {}
    for (const [key, value] of Object.entries(node)) copy[key] = visit(value)
    // A union of named schemas (a record, or its ids and status) is named after them.
    const branches = (copy.anyOf ?? copy.oneOf) as Schema[] | undefined
    if (copy.title === undefined && branches?.every((branch) => branch.$ref && Object.keys(branch).length === 1)) {
      copy.title = branches.map((branch) => branch.$ref!.split('/').pop()).join('Or')
    }
    const title = (copy as Schema).title
    if (typeof title !== 'string' || !('type' in copy || 'anyOf' in copy || 'oneOf' in copy || 'enum' in copy)) return copy
    const key = shape(copy)
    let name = shapes.get(key)
    if (!name) {
      name = title
      for (let n = 2; components[name]; n++) name = `${title}${n}`
      const { description, ...component } = copy
      components[name] = { ...component, ...(description ? { description } : {}) } as Schema
      shapes.set(key, name)
    }
    // The component's own description is not repeated at every use; a different one is kept.
    const description = copy.description !== components[name]!.description ? copy.description : undefined
    return { ...ref('schemas', name), ...(description ? { description } : {}) }
  }
  document.paths = visit(document.paths)
}

function resolve(document: Json, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema
  const name = schema.$ref.split('/').pop()!
  return ((document.components as Json).schemas as Record<string, Schema>)[name]
}

/** The document with realistic values on every property, to sample from (made again when schemas were added). */
const sampled = new WeakMap<Json, { count: number; document: Json }>()
function exampleSource(document: Json): Json {
  const schemas = (document.components as Json).schemas as Record<string, Json>
  const count = Object.keys(schemas).length
  let entry = sampled.get(document)
  if (entry?.count !== count) {
    entry = { count, document: { ...document, components: { ...(document.components as Json), schemas: schemasWithExamples(schemas) } } }
    sampled.set(document, entry)
  }
  return entry.document
}

function exampleOf(document: Json, schema: Schema): unknown {
  const options = { skipReadOnly: false, skipNonRequired: false, quiet: true }
  const schemas = (document.components as Json).schemas as Record<string, Json>
  return sample(withExamples(schema, schemas) as never, options as never, exampleSource(document) as never)
}

/**
 * Gives a body its example. A body that is a named schema refers to one shared example in
 * `components.examples` (the same goal is returned by five operations); an inline one carries its own.
 */
function addExample(document: Json, media: Json): void {
  if (media.example !== undefined || media.examples !== undefined) return
  const schema = media.schema as Schema
  if (!schema?.$ref) {
    media.example = exampleOf(document, schema)
    return
  }
  // A record or its ids and status: the example is the record's own.
  const union = resolve(document, schema)?.anyOf as Schema[] | undefined
  const named = union?.[0]?.$ref ? union[0] : schema
  const name = named.$ref!.split('/').pop()!
  const components = document.components as Json
  components.examples ??= {}
  const shared = components.examples as Record<string, Json>
  shared[name] ??= { summary: `A ${name}`, value: exampleOf(document, named) }
  media.examples = { [name]: ref('examples', name) }
}

/** Path and paging parameters every list and record route repeats, declared once. */
const SHARED_PARAMETERS: Record<string, { in: string; name: string; description?: string }> = {
  RecordId: { in: 'path', name: 'id', description: 'The record id' },
  YoungPersonId: { in: 'path', name: 'id', description: 'The young person' },
  Limit: { in: 'query', name: 'limit' },
  Cursor: { in: 'query', name: 'cursor' },
}

/** Refers to the shared declaration when a parameter is the same as the first one seen by its name. */
function shareParameter(document: Json, parameter: Json): Json {
  const entry = Object.entries(SHARED_PARAMETERS).find(
    ([, p]) => p.in === parameter.in && p.name === parameter.name && (p.description === undefined || p.description === parameter.description),
  )
  if (!entry) return parameter
  const components = document.components as Json
  components.parameters ??= {}
  const shared = components.parameters as Record<string, Json>
  shared[entry[0]] ??= parameter
  return shape(shared[entry[0]]) === shape(parameter) && shared[entry[0]]!.description === parameter.description
    ? ref('parameters', entry[0])
    : parameter
}

/** The headers a response sends, by status and by what the operation is. */
function responseHeaders(status: number, facts: { idempotent: boolean; rateLimited: boolean; etag: boolean; list: boolean }) {
  const names: ContractHeader[] = ['X-Request-Id']
  if (status === 401) names.push('WWW-Authenticate')
  if (status === 429 || status === 503) names.push('Retry-After')
  if (facts.rateLimited && status !== 413 && status !== 415) names.push('RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset')
  if (status < 300) {
    if (facts.etag) names.push('ETag')
    if (facts.list) names.push('Link')
    if (facts.idempotent) names.push('Idempotent-Replayed')
  }
  return Object.fromEntries(names.map((name) => [name, ref('headers', name)]))
}

function finishOperation(document: Json, path: string, method: string, operation: Json, facts: ContractFacts): void {
  const id = operation.operationId as string
  const entry = OPERATIONS[id]
  const fact = facts.get(`${method.toUpperCase()} ${path}`)
  if (entry) {
    operation.description ??= entry.description
    if (!Array.isArray(operation.security) || operation.security.length > 0) {
      operation.security = [{ bearerAuth: [] }, ...(entry.scopes ? [{ partnerOAuth: entry.scopes }] : [])]
    }
  }
  const parameters = (operation.parameters ?? []) as Json[]
  const idempotent = parameters.some((p) => p.in === 'header' && p.name === 'idempotency-key')
  const responses = operation.responses as Record<string, Json>
  // The two request headers of the plumbing are declared once and referred to.
  const all = document.components as Json
  all.parameters ??= {}
  const shared = all.parameters as Record<string, Json>
  operation.parameters = parameters.map((parameter) => {
    if (parameter.in !== 'header' || !['idempotency-key', 'if-match'].includes(parameter.name as string)) return shareParameter(document, parameter)
    const name = parameter.name === 'if-match' ? 'IfMatch' : 'IdempotencyKey'
    // 428 answers a missing If-Match, so the header is required wherever 428 is documented.
    shared[name] ??= { ...parameter, name: parameter.name === 'if-match' ? 'If-Match' : 'Idempotency-Key', required: name === 'IfMatch' }
    return ref('parameters', name)
  })
  const body = operation.requestBody as Json | undefined
  if (body) {
    if (fact?.bodyOptional) body.required = false
    for (const media of Object.values(body.content as Record<string, Json>)) addExample(document, media)
  }
  for (const [code, response] of Object.entries(responses)) {
    const status = Number(code)
    const content = response.content as Record<string, Json> | undefined
    const media = content ? Object.values(content)[0] : undefined
    const schema = resolve(document, media?.schema as Schema | undefined)
    if (content && media && schema?.title === 'Problem') response.content = { 'application/problem+json': media }
    if (status < 300) {
      if (response.description === 'Default Response') response.description = entry?.success ?? (operation.summary as string)
      if (media) addExample(document, media)
    }
    const problem = schema?.title === 'Problem'
    if (problem && status !== 405) {
      // Outside the rate limiter (health, the token endpoint) the same problem comes without RateLimit-* headers.
      const rateLimited = fact?.rateLimitHeaders ?? false
      const name = `${PROBLEM_NAMES[status] ?? `Problem${status}`}${rateLimited ? '' : 'Unlimited'}`
      const components = document.components as Json
      components.responses ??= {}
      const shared = components.responses as Record<string, Json>
      shared[name] ??= { ...response, headers: responseHeaders(status, { idempotent: false, rateLimited, etag: false, list: false }) }
      responses[code] = ref('responses', name)
      continue
    }
    response.headers = {
      ...responseHeaders(status, {
        idempotent,
        rateLimited: fact?.rateLimitHeaders ?? false,
        etag: hasProperty(document, schema, 'etag'),
        list: hasProperty(document, schema, 'nextCursor'),
      }),
      ...(response.headers as Json | undefined),
    }
  }
}

/** Whether the schema, or any branch of its union (a record, or ids and status only), has this property. */
function hasProperty(document: Json, schema: Schema | undefined, name: string): boolean {
  if (schema === undefined) return false
  if (schema.properties?.[name] !== undefined) return true
  const branches = (schema.anyOf ?? schema.oneOf ?? []) as Schema[]
  return branches.some((branch) => hasProperty(document, resolve(document, branch), name))
}

/** The generated document, finished: what `GET /openapi.json` serves and `openapi/openapi.json` holds. */
export function finishDocument(document: Json, facts: ContractFacts): Json {
  extractComponents(document)
  const paths = document.paths as Record<string, Record<string, Json>>
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) if (item[method]) finishOperation(document, path, method, item[method], facts)
  }
  const components = document.components as Json
  components.headers = HEADERS
  const events = webhookDocumentation()
  document.webhooks = events.webhooks
  for (const [kind, entries] of Object.entries(events.components)) components[kind] = { ...(components[kind] as Json | undefined), ...entries }
  for (const item of Object.values(events.webhooks) as Record<string, Json>[]) {
    const content = ((item.post as Json).requestBody as Json).content as Record<string, Json>
    for (const media of Object.values(content)) addExample(document, media)
  }
  return document
}
