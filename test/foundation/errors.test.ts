// Every failure answers as RFC 9457 application/problem+json: 400, 404, 413 and 415.
import t from 'tap'
import { createAdmin } from '../factories.js'
import { build } from '../helper.js'

const PROBLEM_TYPE = /^application\/problem\+json/

t.test('request errors answer as problem+json', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)

  t.test('an invalid body value is a 400 naming the field', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/agencies',
      headers: admin.headers,
      payload: { name: 'Youth services', kind: 'bakery' },
    })
    t.equal(res.statusCode, 400)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    const body = res.json()
    t.same(body, {
      type: 'urn:polku:problem:validation',
      title: 'Bad Request',
      status: 400,
      detail: 'Invalid request: body.kind must be equal to one of the allowed values',
      instance: '/v1/agencies',
      code: 'POLKU_VALIDATION',
      requestId: res.headers['x-request-id'],
      errors: [{ field: 'body.kind', message: 'must be equal to one of the allowed values' }],
    })
  })

  t.test('a missing required property is a 400 naming it', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/v1/agencies', headers: admin.headers, payload: { kind: 'social_services' } })
    t.equal(res.statusCode, 400)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.match(res.json(), { status: 400, code: 'POLKU_VALIDATION', errors: [{ field: 'body.name' }] })
  })

  t.test('a property the schema does not know is rejected, not dropped', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/agencies',
      headers: admin.headers,
      payload: { name: 'Youth services', kind: 'social_services', id: '00000000-0000-4000-8000-000000000000' },
    })
    t.equal(res.statusCode, 400)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.match(res.json(), {
      status: 400,
      code: 'POLKU_VALIDATION',
      errors: [{ field: 'body.id', message: 'is not an accepted property' }],
    })
    const list = await app.inject({ method: 'GET', url: '/v1/agencies', headers: admin.headers })
    t.same(list.json().items, [], 'nothing was written')
  })

  t.test('an invalid query parameter is a 400 naming it', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/v1/agencies?limit=many', headers: admin.headers })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { code: 'POLKU_VALIDATION', errors: [{ field: 'querystring.limit', message: 'must be integer' }] })
  })

  t.test('malformed JSON is a 400', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/agencies',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      payload: '{"name": "Youth services",',
    })
    t.equal(res.statusCode, 400)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.match(res.json(), { type: 'urn:polku:problem:malformed-body', status: 400, code: 'POLKU_MALFORMED_BODY' })
  })

  t.test('an unknown route is a 404', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/v1/no-such-thing?x=1', headers: { 'x-request-id': 'lost-1' } })
    t.equal(res.statusCode, 404)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.same(res.json(), {
      type: 'urn:polku:problem:route-not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No route GET /v1/no-such-thing',
      instance: '/v1/no-such-thing',
      code: 'POLKU_ROUTE_NOT_FOUND',
      requestId: 'lost-1',
    })
  })

  t.test('a body over 1 MiB is a 413', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/agencies',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024), kind: 'social_services' }),
    })
    t.equal(res.statusCode, 413)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.same(res.json(), {
      type: 'urn:polku:problem:body-too-large',
      title: 'Content Too Large',
      status: 413,
      detail: 'Request body is too large',
      instance: '/v1/agencies',
      code: 'POLKU_BODY_TOO_LARGE',
      requestId: res.headers['x-request-id'],
    })
  })

  t.test('a body just under 1 MiB is parsed (and then validated)', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/agencies',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 - 100), kind: 'social_services' }),
    })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { code: 'POLKU_VALIDATION', errors: [{ field: 'body.name' }] })
  })

  for (const contentType of ['text/plain', 'application/xml']) {
    t.test(`a body sent as ${contentType} is a 415`, async (t) => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/agencies',
        headers: { ...admin.headers, 'content-type': contentType },
        payload: 'name=Youth services',
      })
      t.equal(res.statusCode, 415)
      t.match(res.headers['content-type'], PROBLEM_TYPE)
      t.same(res.json(), {
        type: 'urn:polku:problem:unsupported-media-type',
        title: 'Unsupported Media Type',
        status: 415,
        detail: 'Unsupported content type; send application/json',
        instance: '/v1/agencies',
        code: 'POLKU_UNSUPPORTED_MEDIA_TYPE',
        requestId: res.headers['x-request-id'],
      })
    })
  }

  t.test('a missing bearer token is a 401 problem', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/v1/agencies' })
    t.equal(res.statusCode, 401)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.match(res.json(), { status: 401, title: 'Unauthorized', requestId: res.headers['x-request-id'] })
    t.notMatch(res.body, /stack|at .*\.js/)
  })
})
