// The HTTP rules the contract promises: 405 with Allow, body-less operations, real calendar dates, documented statuses.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { OPENAPI_FILE } from '../../scripts/openapi.js'
import { createAdmin, createAgency, createProfessional } from '../factories.js'
import { build } from '../helper.js'

t.test('a known path with another method is 405 with Allow; an unknown path stays 404', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const res = await app.inject({ method: 'DELETE', url: '/v1/agencies?limit=1', headers: admin.headers })
  t.equal(res.statusCode, 405)
  t.equal(res.headers.allow, 'GET, HEAD, POST')
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(res.json(), { status: 405, code: 'POLKU_METHOD_NOT_ALLOWED' })
  const withId = await app.inject({ method: 'PUT', url: '/v1/agencies/7f1c2a34-8d4b-4c1e-9a55-0c4b5f1e2d3a', headers: admin.headers })
  t.equal(withId.statusCode, 405)
  t.equal(withId.headers.allow, 'GET, HEAD')
  const unknown = await app.inject({ method: 'DELETE', url: '/v1/no-such-thing', headers: admin.headers })
  t.equal(unknown.statusCode, 404)
})

t.test('an operation whose body carries nothing takes no body, an empty body and {} alike, and nothing else', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin)
  const deactivate = async (extra: Record<string, unknown>) => {
    const professional = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
    return app.inject({ method: 'POST', url: `/v1/professionals/${professional.id}/deactivate`, headers: admin.headers, ...extra })
  }
  t.equal((await deactivate({})).statusCode, 200, 'no body')
  t.equal((await deactivate({ headers: { ...admin.headers, 'content-type': 'application/json' }, payload: '' })).statusCode, 200, 'an empty body')
  t.equal((await deactivate({ payload: {} })).statusCode, 200, '{}')
  const extra = await deactivate({ payload: { reason: 'left' } })
  t.equal(extra.statusCode, 400, 'a property is refused')
  t.match(extra.json(), { errors: [{ field: 'body.reason', message: 'is not an accepted property' }] })
  const empty = await app.inject({ method: 'POST', url: '/v1/agencies', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: '' })
  t.equal(empty.statusCode, 400, 'an operation that needs a body still refuses an empty one')
})

t.test('dates and months are real calendar values', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const stats = (query: string) => app.inject({ url: `/v1/stats/visits?${query}`, headers: admin.headers })
  const impossible = await stats('from=2026-02-31&to=2026-03')
  t.equal(impossible.statusCode, 400)
  t.match(impossible.json(), { errors: [{ field: 'query.from' }] })
  t.equal((await stats('from=2025-13&to=2026-01')).statusCode, 400, 'month 13')
  t.equal((await stats('from=2024-02-29&to=2024-03')).statusCode, 200, 'a leap day is a day')
  t.equal((await stats('from=2025-02-29&to=2025-03')).statusCode, 400, 'not in 2025')
})

t.test('the document lists what the plumbing answers, as problem+json, and nothing it cannot', async (t) => {
  const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'))
  const responses = document.components.responses
  t.ok(document.components.schemas.Problem, 'one shared Problem schema')
  for (const [path, item] of Object.entries<Record<string, { requestBody?: unknown; responses: Record<string, { $ref?: string; content?: object }> }>>(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const codes = Object.keys(operation.responses)
      if (operation.requestBody) t.ok(codes.includes('413') && codes.includes('415'), `${method} ${path} documents 413 and 415`)
      for (const [code, response] of Object.entries(operation.responses)) {
        const resolved = response.$ref ? responses[response.$ref.split('/').pop()!] : response
        if (Number(code) >= 400 && path !== '/v1/oauth/token') t.same(Object.keys(resolved.content ?? {}), ['application/problem+json'], `${method} ${path} ${code}`)
      }
    }
  }
  for (const path of ['/health/live', '/health/ready']) {
    t.notOk(document.paths[path].get.responses['401'], `${path} cannot answer 401`)
    t.notOk(document.paths[path].get.responses['429'], `${path} is not rate limited`)
  }
  t.equal(document.components.parameters.IfMatch.required, true, 'If-Match is required where 428 answers its absence')
  t.match(Object.keys(document.webhooks), ['consent.granted', 'consent.revoked', 'consent.expired'])
  t.ok(document.components.securitySchemes.partnerOAuth.flows.clientCredentials, 'the client-credentials flow is declared')
})
