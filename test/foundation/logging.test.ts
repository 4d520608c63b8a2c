// Request ids, one JSON log line per request, and redaction of credentials and personal data.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createAdmin, createAgency } from '../factories.js'
import { build } from '../helper.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

type LogLine = Record<string, unknown>

const parse = (logs: string[]): LogLine[] => logs.map((line) => JSON.parse(line) as LogLine)
const linesFor = (logs: string[], requestId: string) => parse(logs).filter((line) => line.reqId === requestId)

t.test('request ids', async (t) => {
  const app = await build(t)

  t.test('a valid X-Request-Id is used and echoed', async (t) => {
    const id = 'partner-7f3a:trace.42_x'
    const res = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': id } })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['x-request-id'], id)
  })

  t.test('an id of exactly 128 characters is accepted', async (t) => {
    const id = 'a'.repeat(128)
    const res = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': id } })
    t.equal(res.headers['x-request-id'], id)
  })

  for (const [why, id] of [
    ['contains spaces', 'has spaces in it'],
    ['is longer than 128 characters', 'a'.repeat(129)],
    ['carries markup', '<script>alert(1)</script>'],
    ['is empty', ''],
  ] as const) {
    t.test(`an id that ${why} is replaced by a generated one`, async (t) => {
      const res = await app.inject({ method: 'GET', url: '/v1/nowhere', headers: { 'x-request-id': id } })
      t.equal(res.statusCode, 404)
      const echoed = res.headers['x-request-id']
      t.match(echoed, UUID)
      t.equal(res.json().requestId, echoed, 'the problem body names the same id')
    })
  }

  t.test('without a header each request gets its own id', async (t) => {
    const a = await app.inject({ method: 'GET', url: '/health/live' })
    const b = await app.inject({ method: 'GET', url: '/health/live' })
    t.match(a.headers['x-request-id'], UUID)
    t.match(b.headers['x-request-id'], UUID)
    t.not(a.headers['x-request-id'], b.headers['x-request-id'])
  })
})

t.test('one log line per request', async (t) => {
  const logs: string[] = []
  const app = await build(t, { logs })
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin)

  const cases = [
    { method: 'GET' as const, url: `/v1/agencies/${agency.id}`, route: '/v1/agencies/:id', status: 200 },
    { method: 'POST' as const, url: '/v1/agencies', route: '/v1/agencies', status: 400, code: 'POLKU_VALIDATION', payload: { name: '' } },
    { method: 'GET' as const, url: '/v1/missing/route', route: 'unmatched', status: 404, code: 'POLKU_ROUTE_NOT_FOUND' },
    { method: 'GET' as const, url: '/health/ready', route: '/health/ready', status: 200 },
  ]
  for (const c of cases) {
    t.test(`${c.method} ${c.url} → ${c.status}`, async (t) => {
      const id = `log-${randomUUID()}`
      const res = await app.inject({ method: c.method, url: c.url, headers: { ...admin.headers, 'x-request-id': id }, payload: c.payload })
      t.equal(res.statusCode, c.status)
      const lines = linesFor(logs, id)
      t.equal(lines.length, 1, 'exactly one line')
      const [line] = lines
      t.match(line, { level: 30, reqId: id, method: c.method, route: c.route, status: c.status, msg: 'request completed' })
      t.equal(typeof line?.durationMs, 'number')
      t.ok((line?.durationMs as number) >= 0)
      t.equal(line?.code, 'code' in c ? c.code : undefined)
      t.notMatch(JSON.stringify(line), agency.id, 'the route pattern is logged, not the path with ids')
    })
  }
})

t.test('credentials and personal data never reach the log', async (t) => {
  const logs: string[] = []
  const app = await build(t, { logs })
  const admin = await createAdmin(app)
  const canary = `canary-${randomUUID()}`

  // A route that logs carelessly, as a future module might: body and headers, then fails.
  app.post('/test/careless', async (request) => {
    request.log.info({ body: request.body, headers: request.headers }, 'careless')
    throw new Error('careless route failed')
  })

  const requests = [
    { method: 'GET' as const, url: '/v1/agencies', headers: { authorization: `Bearer ${canary}` } },
    { method: 'GET' as const, url: '/v1/agencies', headers: { authorization: canary, cookie: `session=${canary}` } },
    {
      method: 'POST' as const,
      url: '/v1/agencies',
      headers: admin.headers,
      payload: { name: 'Youth services', kind: 'social_services', givenName: canary, familyName: canary, birthDate: canary },
    },
    { method: 'POST' as const, url: '/v1/young-persons-unknown', headers: admin.headers, payload: { givenName: canary } },
    {
      method: 'POST' as const,
      url: '/v1/agencies',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      payload: `{"givenName": "${canary}", `,
    },
    {
      method: 'POST' as const,
      url: '/test/careless',
      headers: { authorization: `Bearer ${canary}`, cookie: `sid=${canary}` },
      payload: { givenName: canary, familyName: canary, email: canary, phone: canary, body: canary, purpose: canary },
    },
  ]
  const statuses: number[] = []
  for (const request of requests) statuses.push((await app.inject(request)).statusCode)
  t.same(statuses, [401, 401, 400, 404, 400, 500], 'every request failed')

  const careless = parse(logs).find((line) => line.msg === 'careless')
  t.match(careless, { body: { givenName: '[redacted]', familyName: '[redacted]', email: '[redacted]' }, headers: { authorization: '[redacted]', cookie: '[redacted]' } })
  t.ok(parse(logs).some((line) => line.msg === 'request failed' && line.level === 50), 'the failure itself is logged')
  t.ok(logs.length >= requests.length, 'the requests were logged')
  t.notOk(logs.some((line) => line.includes(canary)), 'the canary appears in no log line')
})
