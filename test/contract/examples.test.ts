// Every request body and success response of the document has a realistic example that its own schema accepts.
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import t from 'tap'
import { OPENAPI_FILE } from '../../scripts/openapi.js'

type Json = Record<string, unknown>

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void
const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Json

const pointer = (segments: string[]) => `#/${segments.map((s) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')}`
const at = (segments: string[]): Json => segments.reduce<unknown>((node, key) => (node as Json)[key], document) as Json
const refSegments = (ref: string) => ref.replace(/^#\//, '').split('/')

interface Body {
  where: string
  /** Where the media type object is in the document. */
  segments: string[]
}

/** Every request body and every 2xx response with content, in paths and webhooks, by where its media type is. */
function bodies(): Body[] {
  const found: Body[] = []
  for (const section of ['paths', 'webhooks']) {
    for (const [path, item] of Object.entries(document[section] as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(item as Record<string, Json>)) {
        const body = operation.requestBody as Json | undefined
        for (const media of Object.keys((body?.content ?? {}) as Json)) {
          found.push({ where: `${method.toUpperCase()} ${path} request ${media}`, segments: [section, path, method, 'requestBody', 'content', media] })
        }
        for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
          if (!status.startsWith('2')) continue
          const base = response.$ref ? refSegments(response.$ref as string) : [section, path, method, 'responses', status]
          for (const media of Object.keys((at(base).content ?? {}) as Json)) {
            found.push({ where: `${method.toUpperCase()} ${path} ${status} ${media}`, segments: [...base, 'content', media] })
          }
        }
      }
    }
  }
  return found
}

/** The example values of a media type object: `example`, or each of `examples` (shared ones followed). */
function examplesOf(media: Json): unknown[] {
  if (media.example !== undefined) return [media.example]
  return Object.values((media.examples ?? {}) as Record<string, Json>).map((entry) => (entry.$ref ? at(refSegments(entry.$ref as string)) : entry).value)
}

/** Placeholders a generator leaves where nobody wrote a value (openapi-sampler's defaults). */
function placeholders(value: unknown, path = ''): string[] {
  if (value === 'string' || value === '2019-08-24' || value === '2019-08-24T14:15:22Z' || value === 'user@example.com') return [`${path || '/'}: ${value}`]
  if (Array.isArray(value)) return value.flatMap((item, i) => placeholders(item, `${path}/${i}`))
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => placeholders(item, `${path}/${key}`))
  return []
}

t.test('every request body and every success response has an example its schema accepts', async (t) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  ajv.addSchema({ $id: 'polku-openapi', ...document })
  const found = bodies()
  t.ok(found.length > 100, `the document has request and response bodies (${found.length})`)
  const missing: string[] = []
  const invalid: string[] = []
  const generic: string[] = []
  for (const body of found) {
    const examples = examplesOf(at(body.segments))
    if (examples.length === 0) missing.push(body.where)
    const validate = ajv.getSchema(`polku-openapi${pointer([...body.segments, 'schema'])}`)!
    for (const example of examples) {
      if (!validate(example)) invalid.push(`${body.where}: ${(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`)
      generic.push(...placeholders(example).map((p) => `${body.where} ${p}`))
    }
  }
  t.same(missing, [], 'no body without an example')
  t.same(invalid, [], 'every example is valid against its schema')
  t.same(generic, [], 'no example keeps a placeholder value')
})

t.test('examples are realistic Ohjaamo data, written once and shared', async (t) => {
  const shared = (document.components as Json).examples as Record<string, Json>
  const goal = shared.Goal!.value as Json
  t.match(goal, { title: 'Find an apprenticeship place in car mechanics', category: 'education', targetDate: /^2026-/ })
  t.match(shared.Agency!.value, { name: 'Youth Health Services' })
  t.match(shared.Me!.value, { givenName: 'Aino', familyName: 'Virtanen' })
  const patchGoal = at(['paths', '/v1/goals/{id}', 'patch', 'responses', '200', 'content', 'application/json'])
  t.same(patchGoal.examples, { Goal: { $ref: '#/components/examples/Goal' } }, 'an operation refers to the shared example of its schema')
})
