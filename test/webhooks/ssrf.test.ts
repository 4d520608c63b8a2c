// Webhooks reach only public addresses: refused at registration (422 naming why) and again at every delivery, after DNS.
import type { LookupAddress } from 'node:dns'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { refusedAddress } from '../../src/modules/webhooks/address-policy.js'
import { enqueueEvent } from '../../src/modules/webhooks/outbox.js'
import { insertEndpoint } from '../../src/modules/webhooks/webhooks.queries.js'
import { runDeliveryRound } from '../../src/modules/webhooks/worker.js'
import { createAdmin, createAgency } from '../factories.js'
import { build } from '../helper.js'
import { createPartner, outbox } from './fixtures.js'
import { startReceiver } from './receiver.js'

const REFUSED: [string, RegExp][] = [
  ['https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
  ['https://127.0.0.1:8443/', /127\.0\.0\.1 is a loopback address/],
  ['https://10.0.0.1/', /10\.0\.0\.1 is a private network address/],
  ['https://192.168.1.1/', /private network/],
  ['https://172.16.5.4/hooks', /private network/],
  ['https://100.64.0.1/', /carrier-grade NAT/],
  ['https://224.0.0.1/', /multicast/],
  ['https://0.0.0.0/', /unspecified/],
  ['https://2130706433/', /127\.0\.0\.1 is a loopback address/],
  ['https://0x7f.1/', /127\.0\.0\.1 is a loopback address/],
  ['https://[::1]/', /::1 is a loopback address/],
  ['https://[::]/', /unspecified/],
  ['https://[fd00::1]/', /unique-local/],
  ['https://[fe80::1]/', /link-local/],
  ['https://[ff02::1]/', /multicast/],
  ['https://[::ffff:127.0.0.1]/', /IPv4-mapped/],
  ['https://[::ffff:169.254.169.254]/', /IPv4-mapped/],
  ['https://localhost:8443/', /loopback/],
  ['https://hooks.localhost/', /hooks\.localhost is a loopback name/],
]

t.test('registration refuses non-public addresses with 422 naming the reason, in production too', async (t) => {
  for (const env of ['test', 'production'] as const) {
    await t.test(env, async (t) => {
      const app = await build(t, { config: { env } })
      const admin = await createAdmin(app)
      const partner = await createPartner(app, admin, (await createAgency(app, admin, { kind: 'employment_service' })).id)
      const register = (url: string) => app.inject({ method: 'POST', url: '/v1/webhooks', headers: partner.headers, payload: { url, events: ['consent.granted'] } })
      for (const [url, reason] of REFUSED) {
        const res = await register(url)
        t.equal(res.statusCode, 422, `${url}: ${res.body}`)
        t.match(res.json(), { status: 422, code: 'POLKU_UNPROCESSABLE', detail: reason }, url)
        t.match(res.json().detail, /webhooks reach only public addresses/)
      }
      t.same((await app.inject({ url: '/v1/webhooks', headers: partner.headers })).json().items, [], 'nothing was registered')

      t.equal((await register('https://93.184.215.14/hooks')).statusCode, 201, 'a public address is accepted')
      t.equal((await register('https://hooks.partner.example/polku')).statusCode, 201, 'a name that does not resolve yet is accepted: every delivery checks it')
    })
  }
})

t.test('WEBHOOK_ALLOW_PRIVATE_NETWORKS: off by default, refused in production, lets local development use 127.0.0.1', async (t) => {
  const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-at-least-32-bytes', SESSION_KEY: 'ab'.repeat(32) }
  t.equal(loadConfig({ NODE_ENV: 'development' }).webhookAllowPrivateNetworks, false)
  t.equal(loadConfig({ NODE_ENV: 'development', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }).webhookAllowPrivateNetworks, true)
  t.throws(() => loadConfig({ ...production, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }), { name: 'ConfigError', message: /^WEBHOOK_ALLOW_PRIVATE_NETWORKS / })
  t.equal(loadConfig({ ...production, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }).webhookAllowPrivateNetworks, false)

  const app = await build(t, { config: { webhookAllowPrivateNetworks: true } })
  const admin = await createAdmin(app)
  const partner = await createPartner(app, admin, (await createAgency(app, admin)).id)
  const res = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: partner.headers, payload: { url: 'http://127.0.0.1:8080/hooks', events: ['consent.granted'] } })
  t.equal(res.statusCode, 201, res.body)
})

t.test('the address check uses the ranges of ipaddr.js: public unicast only', async (t) => {
  for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111']) t.equal(refusedAddress(address), null, `${address} is public`)
  for (const address of ['127.0.0.1', '10.1.2.3', '100.64.1.1', '169.254.169.254', '192.0.2.1', '255.255.255.255', '::1', 'fc00::1', '::ffff:8.8.8.8', '64:ff9b::a00:1']) {
    t.type(refusedAddress(address), 'string', `${address} is refused`)
  }
})

t.test('every delivery resolves the name, refuses non-public answers and connects only to the address it checked', async (t) => {
  const setup = async (allowPrivate: boolean) => {
    const app = await build(t, { config: { webhookAllowPrivateNetworks: allowPrivate } })
    const admin = await createAdmin(app)
    const agency = await createAgency(app, admin, { kind: 'employment_service' })
    const partner = await createPartner(app, admin, agency.id)
    const receiver = await startReceiver(t)
    const port = new URL(receiver.url).port
    // Written as an operator would have left it: registered while allowed, or under a name that later moved.
    const endpoint = async (url: string) =>
      (await app.database.transaction((tx) => insertEndpoint(tx, { partnerClientId: partner.id, url, events: ['referral.created'], secret: randomUUID() }))).id
    const announce = () => app.database.transaction((tx) => enqueueEvent(tx, 'referral.created', [agency.id], { referralId: randomUUID() }))
    const lastError = async (endpointId: string) => {
      const res = await app.inject({ url: `/v1/webhooks/${endpointId}/deliveries`, headers: partner.headers })
      return res.json().items[0]
    }
    return { app, receiver, port, endpoint, announce, lastError }
  }

  await t.test('a name resolving to a private or loopback address is refused, and nothing is sent', async (t) => {
    const { app, receiver, port, endpoint, announce, lastError } = await setup(false)
    const rebinding = await endpoint(`http://hooks.partner.example:${port}/hooks`)
    const mixed = await endpoint(`http://mixed.partner.example:${port}/hooks`)
    const named = await endpoint(`http://localhost:${port}/hooks`)
    const literal = await endpoint(`${receiver.url}`)
    await announce()
    const answers: Record<string, LookupAddress[]> = {
      'hooks.partner.example': [{ address: '127.0.0.1', family: 4 }],
      'mixed.partner.example': [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ],
    }
    const asked: string[] = []
    const resolve = async (hostname: string) => {
      asked.push(hostname)
      return answers[hostname] ?? []
    }
    const round = await runDeliveryRound(app, { resolve, timeoutMs: 2000 })
    t.same(round, { claimed: 4, delivered: 0, retrying: 4, dead: 0 })
    t.match(await lastError(rebinding), { status: 'pending', lastStatusCode: null, lastError: 'refused: hooks.partner.example resolves to 127.0.0.1, a loopback address' })
    t.match(await lastError(mixed), { lastError: 'refused: mixed.partner.example resolves to 10.0.0.7, a private network address' })
    t.match(await lastError(named), { lastError: 'refused: localhost is a loopback name' })
    t.match(await lastError(literal), { lastError: 'refused: 127.0.0.1 is a loopback address' })
    t.same(asked.sort(), ['hooks.partner.example', 'mixed.partner.example'], 'names are resolved; localhost and literals are judged without asking')
    t.same(receiver.received, [], 'the receiver on 127.0.0.1 got nothing')
    t.ok((await outbox(app)).every((row) => row.status === 'pending'), 'refusals are retried like any failure, then dead-lettered')
  })

  await t.test('the connection goes to the address that was checked, not to a second DNS answer', async (t) => {
    // Allowed here so the checked answer (127.0.0.1, where the receiver listens) can be reached; a second
    // lookup would answer 127.0.0.2, where nothing listens, and the delivery would fail.
    const { app, receiver, port, endpoint, announce } = await setup(true)
    const id = await endpoint(`http://rebind.partner.example:${port}/hooks`)
    await announce()
    let lookups = 0
    const resolve = async () => [{ address: lookups++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 }]
    t.same(await runDeliveryRound(app, { resolve, timeoutMs: 5000 }), { claimed: 1, delivered: 1, retrying: 0, dead: 0 })
    t.equal(lookups, 1, 'one resolution per delivery, used for both the check and the connection')
    t.equal(receiver.received.length, 1)
    t.equal(receiver.received[0]!.headers.host, `rebind.partner.example:${port}`, 'the request still names the host')
    t.match(await outbox(app, id), [{ status: 'delivered' }])
  })
})
