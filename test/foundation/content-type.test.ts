import t from 'tap'
import { createAdmin } from '../factories.js'
import { build } from '../helper.js'

t.test('form-encoded bodies are accepted by the token endpoint only', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const form = await app.inject({
    method: 'POST',
    url: '/v1/agencies',
    headers: { ...admin.headers, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'name=Agency&kind=ngo',
  })
  t.equal(form.statusCode, 415)
  t.equal(form.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(form.json(), { status: 415, code: 'POLKU_UNSUPPORTED_MEDIA_TYPE' })

  const token = await app.inject({
    method: 'POST',
    url: '/v1/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'grant_type=client_credentials&client_id=nobody&client_secret=wrong',
  })
  t.equal(token.statusCode, 401, 'the form was parsed and the credentials checked')
  t.match(token.json(), { error: 'invalid_client' })
})
