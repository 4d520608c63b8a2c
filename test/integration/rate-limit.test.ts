// Rate limits per principal: 429 with Retry-After for the caller over the limit, nobody else.
import t from 'tap'
import { createAdmin } from '../factories.js'
import { build } from '../helper.js'

t.test('rate limits are per principal', async (t) => {
  const app = await build(t, { config: { rateLimitPerMinute: 3 } })
  const busy = await createAdmin(app)
  const calm = await createAdmin(app)
  const list = (headers: { authorization: string }) => app.inject({ url: '/v1/agencies', headers })

  for (let i = 0; i < 3; i++) {
    const res = await list(busy.headers)
    t.equal(res.statusCode, 200, `request ${i + 1} is within the limit`)
    t.equal(res.headers['ratelimit-remaining'], String(2 - i))
  }
  const limited = await list(busy.headers)
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], /^application\/problem\+json/)
  const retryAfter = Number(limited.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After: ${limited.headers['retry-after']}`)
  t.match(limited.json(), { status: 429, code: 'POLKU_RATE_LIMITED', detail: /retry in \d+ s/ })

  const other = await list(calm.headers)
  t.equal(other.statusCode, 200, 'another principal is unaffected')
  t.equal(other.headers['ratelimit-remaining'], '2')

  const health = await app.inject({ url: '/health/live' })
  t.equal(health.statusCode, 200, 'health checks are not limited')
})
