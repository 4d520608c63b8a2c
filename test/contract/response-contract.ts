// Checks every response an app sends during the tests against its OpenAPI document: status, media type, headers, body.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { HEADERS } from '../../src/http/document.js'

type Json = Record<string, unknown>

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void

/** Headers the contract speaks about: a response that sends one must declare it. */
const CONTRACT_HEADERS = Object.keys(HEADERS).map((name) => name.toLowerCase())

const pointer = (...segments: string[]) =>
  `#/${segments.map((s) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')}`

class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true })
  private readonly validators = new Map<string, ValidateFunction>()

  constructor(private readonly document: Json) {
    addFormats(this.ajv)
    this.ajv.addSchema({ $id: 'polku-openapi', ...document })
  }

  private resolve(node: Json | undefined): Json | undefined {
    let current = node
    for (let depth = 0; current?.$ref && depth < 5; depth++) {
      const path = String(current.$ref).replace(/^#\//, '').split('/')
      current = path.reduce<unknown>((at, key) => (at as Json | undefined)?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], this.document) as Json | undefined
    }
    return current
  }

  private validator(segments: string[]): ValidateFunction {
    const key = segments.join('\u0000')
    let validate = this.validators.get(key)
    if (!validate) {
      validate = this.ajv.getSchema(`polku-openapi${pointer(...segments)}`)!
      this.validators.set(key, validate)
    }
    return validate
  }

  /** What is wrong with one response, or nothing. */
  check(method: string, route: string, status: number, headers: Record<string, unknown>, payload: unknown): string[] {
    const path = route.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
    const operation = (this.document.paths as Record<string, Record<string, Json>>)[path]?.[method.toLowerCase()]
    if (!operation) return []
    const where = `${method} ${path} → ${status}`
    const responses = operation.responses as Record<string, Json>
    const code = String(status) in responses ? String(status) : `${String(status)[0]}XX` in responses ? `${String(status)[0]}XX` : undefined
    if (!code) return [`${where}: status not in the document (it lists ${Object.keys(responses).join(', ')})`]
    const response = this.resolve(responses[code])!
    const problems: string[] = []

    const declared = Object.fromEntries(
      Object.entries((response.headers ?? {}) as Record<string, Json>).map(([name, header]) => [name.toLowerCase(), this.resolve(header)!]),
    )
    for (const [name, header] of Object.entries(declared)) {
      if (header.required && headers[name] === undefined) problems.push(`${where}: required header ${name} is missing`)
    }
    for (const name of CONTRACT_HEADERS) {
      if (headers[name] !== undefined && !declared[name]) problems.push(`${where}: header ${name} is sent but not documented`)
    }

    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : undefined
    if (text === undefined) return problems // a stream: nothing to parse
    const content = response.content as Record<string, Json> | undefined
    if (text === '') {
      if (content && status !== 204) problems.push(`${where}: empty body, the document promises ${Object.keys(content).join(', ')}`)
      return problems
    }
    const mediaType = String(headers['content-type'] ?? '').split(';')[0]!.trim()
    if (!content?.[mediaType]) {
      problems.push(`${where}: content type ${mediaType || '(none)'} is not documented (${Object.keys(content ?? {}).join(', ') || 'no body'})`)
      return problems
    }
    if (mediaType.endsWith('json')) {
      const viaRef = responses[code]!.$ref as string | undefined
      const at = viaRef ? viaRef.replace(/^#\//, '').split('/') : ['paths', path, method.toLowerCase(), 'responses', code]
      const check = this.validator([...at, 'content', mediaType, 'schema'])
      if (!check(JSON.parse(text))) {
        const errors = (check.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`)
        problems.push(`${where}: body does not match the schema: ${errors.join('; ')}`)
      }
    }
    return problems
  }
}

/** One checker per distinct document: compiling the schemas again for every app of a test file is slow. */
const checkers = new Map<string, ContractChecker>()
function checkerFor(document: Json): ContractChecker {
  const key = JSON.stringify(document)
  let checker = checkers.get(key)
  if (!checker) {
    checker = new ContractChecker(document)
    checkers.set(key, checker)
  }
  return checker
}

/** Watches `app`: every response it sends is checked; `violations` lists what did not match, once each. */
export function watchContract(app: FastifyInstance): { violations: string[] } {
  const found = new Set<string>()
  let checker: ContractChecker | undefined
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const route = request.routeOptions.url
    if (route === undefined || request.method === 'HEAD') return payload
    checker ??= checkerFor(app.swagger() as unknown as Json)
    const headers = Object.fromEntries(Object.entries(reply.getHeaders()).map(([k, v]) => [k.toLowerCase(), v]))
    for (const problem of checker.check(request.method, route, reply.statusCode, headers, payload)) found.add(problem)
    return payload
  })
  return {
    get violations() {
      return [...found]
    },
  }
}
