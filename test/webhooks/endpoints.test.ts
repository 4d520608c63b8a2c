// Webhook endpoints: partner tokens only, https (or localhost http outside production), own endpoints only.
import t from 'tap'
import { checkWebhookUrl } from '../../src/modules/webhooks/webhooks.routes.js'
import { createAdmin, createAgency, createProfessional } from '../factories.js'
import { build } from '../helper.js'
import { createEndpoint, createPartner } from './fixtures.js'

t.test('webhook endpoints', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { kind: 'employment_service' })
  const school = await createAgency(app, admin, { kind: 'education' })
  const partner = await createPartner(app, admin, agency.id)
  const other = await createPartner(app, admin, school.id)
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id })

  await t.test('a partner registers an endpoint and sees its secret once', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: partner.headers,
      payload: { url: 'https://partner.example/hooks', events: ['consent.granted', 'consent.revoked'] },
    })
    t.equal(res.statusCode, 201, res.body)
    const body = res.json()
    t.same(Object.keys(body).sort(), ['createdAt', 'events', 'id', 'secret', 'url'])
    t.match(body, { url: 'https://partner.example/hooks', events: ['consent.granted', 'consent.revoked'], secret: /^whsec_[A-Za-z0-9_-]{43}$/ })

    const list = await app.inject({ url: '/v1/webhooks', headers: partner.headers })
    t.equal(list.statusCode, 200)
    t.same(list.json(), { items: [{ id: body.id, url: body.url, events: body.events, createdAt: body.createdAt }], nextCursor: null }, 'no secret in the list')
  })

  await t.test('admins and professionals may not manage webhooks', async (t) => {
    for (const caller of [admin, counsellor]) {
      const res = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: caller.headers, payload: { url: 'https://x.example/h', events: ['consent.granted'] } })
      t.equal(res.statusCode, 403)
      t.equal(res.json().code, 'POLKU_FORBIDDEN')
      t.equal((await app.inject({ url: '/v1/webhooks', headers: caller.headers })).statusCode, 403)
    }
  })

  await t.test('bad urls and unknown event types are refused', async (t) => {
    const post = (payload: object) => app.inject({ method: 'POST', url: '/v1/webhooks', headers: partner.headers, payload })
    const plain = await post({ url: 'http://partner.example/hooks', events: ['consent.granted'] })
    t.equal(plain.statusCode, 422)
    t.match(plain.json(), { code: 'POLKU_UNPROCESSABLE', detail: /https/ })
    const credentials = await post({ url: 'https://user:pw@partner.example/hooks', events: ['consent.granted'] })
    t.equal(credentials.statusCode, 422)
    const unknown = await post({ url: 'https://partner.example/hooks', events: ['note.created'] })
    t.equal(unknown.statusCode, 400)
    const none = await post({ url: 'https://partner.example/hooks', events: [] })
    t.equal(none.statusCode, 400)
    const owner = await post({ url: 'https://partner.example/hooks', events: ['consent.granted'], partnerClientId: other.id })
    t.equal(owner.statusCode, 400, 'the owner comes from the token, never the body')
  })

  await t.test('http is allowed only for loopback, and never in production', async (t) => {
    const local = { production: false, allowPrivate: true }
    const refusal = async (url: string, policy: { production: boolean; allowPrivate: boolean }) => {
      try {
        await checkWebhookUrl(url, policy)
        return 'accepted'
      } catch (error) {
        return (error as { statusCode: number }).statusCode
      }
    }
    t.equal(await checkWebhookUrl('http://127.0.0.1:8080/h', local), 'http://127.0.0.1:8080/h')
    t.equal(await checkWebhookUrl('http://localhost/h', local), 'http://localhost/h')
    t.equal(await refusal('http://127.0.0.1:8080/h', { production: false, allowPrivate: false }), 422, 'loopback needs WEBHOOK_ALLOW_PRIVATE_NETWORKS')
    t.equal(await refusal('http://127.0.0.1:8080/h', { production: true, allowPrivate: false }), 422)
    t.equal(await refusal('http://10.0.0.1/h', local), 422)
    t.equal(await refusal('ftp://partner.example/h', local), 422)
    t.equal(await checkWebhookUrl('https://partner.example/h', { production: true, allowPrivate: false }), 'https://partner.example/h')
  })

  await t.test('a partner sees and deletes only its own endpoints', async (t) => {
    const theirs = await createEndpoint(app, other, 'https://school.example/hooks', ['consent.revoked'])
    const mine = (await app.inject({ url: '/v1/webhooks', headers: partner.headers })).json().items
    t.notOk(mine.some((e: { id: string }) => e.id === theirs.id))

    const foreignDelete = await app.inject({ method: 'DELETE', url: `/v1/webhooks/${theirs.id}`, headers: partner.headers })
    t.equal(foreignDelete.statusCode, 404)
    const foreignLog = await app.inject({ url: `/v1/webhooks/${theirs.id}/deliveries`, headers: partner.headers })
    t.equal(foreignLog.statusCode, 404)

    const deleted = await app.inject({ method: 'DELETE', url: `/v1/webhooks/${theirs.id}`, headers: other.headers })
    t.equal(deleted.statusCode, 204)
    t.equal(deleted.body, '')
    t.same((await app.inject({ url: '/v1/webhooks', headers: other.headers })).json(), { items: [], nextCursor: null })
    const again = await app.inject({ method: 'DELETE', url: `/v1/webhooks/${theirs.id}`, headers: other.headers })
    t.equal(again.statusCode, 404)
  })

  await t.test('registering is idempotent with an Idempotency-Key', async (t) => {
    const post = () =>
      app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: { ...other.headers, 'idempotency-key': 'hook-1' },
        payload: { url: 'https://school.example/v2', events: ['consent.granted'] },
      })
    const first = await post()
    const second = await post()
    t.equal(first.statusCode, 201)
    t.equal(second.statusCode, 201)
    t.equal(second.headers['idempotent-replayed'], 'true')
    t.same(second.json(), first.json(), 'the same endpoint and the same secret')
    t.equal((await app.inject({ url: '/v1/webhooks', headers: other.headers })).json().items.length, 1)
  })
})
