// Realistic example values for the document, by property name: the one place the examples of every body come from.
type Json = Record<string, unknown>

/**
 * Values by property name; `Schema.property` and then `parent.property` win over `property` where
 * one name means different things (an agency's name is not a professional's). The document finisher sets each value as the
 * property's `example` where it fits the property's schema, and the examples of whole bodies are
 * sampled from those properties.
 */
export const EXAMPLE_VALUES: Record<string, unknown> = {
  givenName: 'Aino',
  familyName: 'Virtanen',
  birthDate: '2007-05-14',
  email: 'aino.virtanen@example.fi',
  phone: '+358 40 123 4567',
  displayName: 'Mikko Korhonen',
  name: 'Mikko Korhonen',
  'Agency.name': 'Youth Health Services',
  'CreateAgency.name': 'Youth Health Services',
  'TeamMember.name': 'Mikko Korhonen',
  'Centre.name': 'Ohjaamo Helsinki',
  'CreateCentre.name': 'Ohjaamo Helsinki',
  'PartnerClient.name': 'Youth Health Services case system',
  'PartnerClientWithSecret.name': 'Youth Health Services case system',
  'CreatePartnerClient.name': 'Youth Health Services case system',
  agencyName: 'Youth Health Services',
  municipality: 'Helsinki',
  subject: 'oidc|helsinki|mikko.korhonen',
  'YoungPerson.subject': 'suomi.fi|aino.virtanen',
  'Intake.subject': 'suomi.fi|aino.virtanen',
  title: 'Find an apprenticeship place in car mechanics',
  'Step.title': 'Visit the vocational college open day',
  'CreateStep.title': 'Visit the vocational college open day',
  'PatchStep.title': 'Visit the vocational college open day',
  'Problem.title': 'Not Found',
  'agency.name': 'Youth Health Services',
  'controller.name': 'Youth Health Services',
  'centres.name': 'Ohjaamo Helsinki',
  createdAt: '2026-01-12T10:04:00.000Z',
  updatedAt: '2026-03-16T09:30:00.000Z',
  validFrom: '2026-01-12T10:04:00.000Z',
  validUntil: '2026-06-30T21:00:00.000Z',
  expiresAt: '2026-02-11T10:04:00.000Z',
  requestedAt: '2026-03-02T08:15:00.000Z',
  at: '2026-03-16T09:30:00.000Z',
  targetDate: '2026-08-31',
  dueDate: '2026-04-15',
  date: '2026-03-16',
  revokedAt: null,
  revokedBy: null,
  supersededAt: null,
  supersededById: null,
  decidedAt: null,
  closedAt: null,
  erasedAt: null,
  closure: null,
  legalHold: false,
  deletionDate: null,
  startsFrom: null,
  summary: 'Aino wants to finish upper secondary studies and find an apprenticeship; housing is settled for now.',
  body: 'Met Aino at Ohjaamo. She has applied to two apprenticeship places and asked for help with the cover letter.',
  purpose: 'Planning studies and an apprenticeship together with the study counsellor',
  evidence: 'Signed consent form OHJ-2026-0142',
  withdrawal: 'Withdraw at any time on your own page (Polku) or by telling any professional on your team.',
  plainLanguage:
    'You let Youth Health Services read and update your study and work plans until 30 June 2026, to plan an apprenticeship with you. You can withdraw this at any time.',
  reason: 'Aino asked for the consent to end',
  decisionReason: 'The records are needed for an ongoing child welfare assessment (art. 17(3)(b)).',
  liftReason: 'The assessment has ended',
  outcome: 'Aino started an apprenticeship at Korjaamo Lahtinen on 2 March 2026',
  question: 'Why did the study counsellor read my health notes on 12 March?',
  answer: 'The counsellor opened your pathway, which lists your goals; no health note was read. The log entry has been corrected.',
  detail: 'No young person with this id, or you may not see them',
  instance: '/v1/young-persons/1f0c2e8a-4b5d-4c6e-9f70-8a1b2c3d4e5f',
  code: 'POLKU_NOT_FOUND',
  requestId: 'req-7k2qm9xd4f',
  field: 'body.consent.purpose',
  message: 'must NOT have fewer than 1 characters',
  grant_type: 'client_credentials',
  client_id: 'yhs-case-system',
  clientId: 'yhs-case-system',
  client_secret: 'pc_6Jw2QvXq9rT4mZ8bN1sK7yH3',
  clientSecret: 'pc_6Jw2QvXq9rT4mZ8bN1sK7yH3',
  secret: 'whsec_3fP9kLm2Qx7Vt8Rw1Zy6Bn4C',
  scope: 'pathway:read referrals:write',
  access_token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJwYXJ0bmVyOnloc..c2lnbmF0dXJl',
  error_description: 'Unknown client or wrong secret',
  etag: 'W/"3"',
  version: 3,
  expires_in: 300,
  k: 5,
  count: 12,
  total: 12,
  eventsChecked: 1204,
  action: 'read',
  resourceType: 'note',
  actorKind: 'professional',
  actorRole: 'study_counsellor',
  actorName: 'Mikko Korhonen',
  chain: 'young-person:1f0c2e8a-4b5d-4c6e-9f70-8a1b2c3d4e5f',
  url: 'https://cases.youth-health.example.fi/polku/events',
  lastError: 'HTTP 503 from the endpoint',
  status: 'active',
  role: 'study_counsellor',
  toRole: 'study_counsellor',
  kind: 'professional',
  category: 'education',
  categories: ['education', 'employment'],
  specialCategories: ['health'],
  actions: ['read', 'write'],
  groupBy: ['topic'],
  multiValued: ['topic'],
  resourceId: '8d3e5f71-2a4b-4c6d-8e9f-0a1b2c3d4e5f',
  'SavedHead.createdAt': '2026-03-16T09:30:00.000Z',
  NextCursor: 'eyJ0IjoiMjAyNi0wMy0xNlQwOTozMDowMFoiLCJpZCI6IjQ5N2Y2ZWNhIn0',
  nextCursor: 'eyJ0IjoiMjAyNi0wMy0xNlQwOTozMDowMFoiLCJpZCI6IjQ5N2Y2ZWNhIn0',
}

/** Values by format, for properties the table does not name. */
const BY_FORMAT: Record<string, string> = {
  date: '2026-03-16',
  'date-time': '2026-03-16T09:30:00.000Z',
  email: 'aino.virtanen@example.fi',
  uri: 'https://cases.youth-health.example.fi/polku/events',
}

const FORMATS: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/,
  email: /^[^@\s]+@[^@\s]+$/,
  uri: /^https?:\/\//,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
}

type Schemas = Record<string, Json>

/** Whether a value fits a schema (refs resolved in `schemas`): a value that does not keeps the sampler's own. */
function fits(schema: Json, value: unknown, schemas: Schemas): boolean {
  if (typeof schema.$ref === 'string') {
    const target = schemas[schema.$ref.replace('#/components/schemas/', '')]
    return target !== undefined && fits(target, value, schemas)
  }
  const branches = (schema.anyOf ?? schema.oneOf) as Json[] | undefined
  if (branches) return branches.some((branch) => fits(branch, value, schemas))
  if (value === undefined) return false
  if (value === null) return [schema.type].flat().includes('null')
  if (schema.const !== undefined) return schema.const === value
  if (Array.isArray(schema.enum)) return schema.enum.includes(value)
  const types = [schema.type].flat()
  if (typeof value === 'string') {
    if (!types.includes('string')) return false
    if (value.length > ((schema.maxLength as number | undefined) ?? Number.POSITIVE_INFINITY)) return false
    if (value.length < ((schema.minLength as number | undefined) ?? 0)) return false
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return false
    const format = FORMATS[schema.format as string]
    return !format || format.test(value)
  }
  if (Array.isArray(value)) {
    const items = schema.items as Json | undefined
    if (!types.includes('array') || !items || value.length > ((schema.maxItems as number | undefined) ?? Number.POSITIVE_INFINITY)) return false
    return value.every((item) => fits(items, item, schemas))
  }
  if (typeof value === 'boolean') return types.includes('boolean')
  if (typeof value === 'number') {
    if (!types.includes('integer') && !types.includes('number')) return false
    return value >= ((schema.minimum as number | undefined) ?? -Infinity) && value <= ((schema.maximum as number | undefined) ?? Infinity)
  }
  return false
}

const hasExample = (schema: Json) => schema.example !== undefined || schema.examples !== undefined

/** The example a property gets, if any: by `Schema.property`, `parent.property`, name, then format. */
function exampleFor(owner: string | undefined, parent: string | undefined, property: string, schema: Json, schemas: Schemas): unknown {
  const keys = [owner && `${owner}.${property}`, parent && `${parent}.${property}`, property].filter((key): key is string => Boolean(key))
  for (const key of keys) {
    if (key in EXAMPLE_VALUES && fits(schema, EXAMPLE_VALUES[key], schemas)) return EXAMPLE_VALUES[key]
  }
  const plain = ((schema.anyOf as Json[] | undefined) ?? [schema]).find((branch) => typeof branch.format === 'string')
  const byFormat = plain ? BY_FORMAT[plain.format as string] : undefined
  return fits(schema, byFormat, schemas) ? byFormat : undefined
}

/** A copy of a schema tree with an `example` on every property the tables have a fitting value for. */
export function withExamples<T>(node: T, schemas: Schemas, owner?: string, parent?: string): T {
  if (Array.isArray(node)) return node.map((item) => withExamples(item, schemas, owner, parent)) as T
  if (!node || typeof node !== 'object') return node
  const copy: Json = {}
  for (const [key, value] of Object.entries(node)) {
    // Below `properties`, each property is the parent of what it holds.
    copy[key] =
      key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([name, property]) => [name, withExamples(property, schemas, owner, name)]))
        : withExamples(value, schemas, owner, parent)
  }
  const properties = copy.properties as Record<string, Json> | undefined
  if (properties && typeof properties === 'object') {
    for (const [name, property] of Object.entries(properties)) {
      if (!property || typeof property !== 'object' || hasExample(property)) continue
      const value = exampleFor(owner, parent, name, property, schemas)
      // The sampler follows a `$ref` before it looks at `example`: a referring property becomes its example.
      if (value !== undefined) properties[name] = property.$ref ? { example: value } : { ...property, example: value }
    }
  }
  return copy as T
}

/** The components of a document with examples on their properties (each schema the owner of its own), and on themselves by name. */
export function schemasWithExamples(schemas: Schemas): Schemas {
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => {
      const annotated = withExamples(schema, schemas, name)
      const own = EXAMPLE_VALUES[name]
      return [name, !hasExample(annotated) && fits(annotated, own, schemas) ? { ...annotated, example: own } : annotated]
    }),
  )
}
