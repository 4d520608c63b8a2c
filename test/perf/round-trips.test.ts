// What a request costs in database round trips once it is warm: a latency contract a user feels on every page.
import net from 'node:net'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build, onPostgres } from '../helper.js'
import { refer } from '../referrals/fixtures.js'

/**
 * Counts flights: a socket that writes for the first time, or writes after it has received data
 * since its last write, starts a flight (one round trip to the server). Writes that go out before an
 * answer came back (a pipeline) belong to the same flight. Only writes while `armed` are counted;
 * `app.inject` opens no socket, so while armed around one inject every counted write is the
 * database's. Sockets to other ports (the test runner's pipes) are left out all the same.
 */
class FlightCounter {
  armed = false
  flights = 0
  readonly #answered = new WeakMap<net.Socket, boolean>()
  readonly #write = net.Socket.prototype.write
  readonly #port: number

  constructor(port: number) {
    this.#port = port
    const counter = this
    const write = this.#write
    net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
      counter.#seen(this)
      return (write as (...a: unknown[]) => boolean).apply(this, args)
    } as typeof net.Socket.prototype.write
  }

  #seen(socket: net.Socket): void {
    const answered = this.#answered.get(socket)
    if (answered === undefined) {
      socket.on('data', () => this.#answered.set(socket, true))
    }
    if (answered !== false && this.armed && (socket.remotePort === this.#port || socket.connecting)) this.flights++
    this.#answered.set(socket, false)
  }

  /** The flights `work` costs. */
  async measure<T>(work: () => Promise<T>): Promise<{ value: T; flights: number }> {
    this.flights = 0
    this.armed = true
    try {
      const value = await work()
      return { value, flights: this.flights }
    } finally {
      this.armed = false
    }
  }

  restore(): void {
    net.Socket.prototype.write = this.#write
  }
}

t.test("a warm read costs one round trip, a list with its audit two, a read of one young person's records two", { skip: onPostgres ? false : 'round trips are counted on PostgreSQL: run with TEST_DATABASE_URL' }, async (t) => {
  const counter = new FlightCounter(Number(new URL(process.env.TEST_DATABASE_URL!).port || 5432))
  t.teardown(() => counter.restore())
  // One connection: the warm-up prepares every statement on the connection the measured request uses.
  const app: FastifyInstance = await build(t, { config: { dbPoolSize: 1 } })
  const admin = await createAdmin(app)
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const yp = await createYoungPerson(app, counsellor, { withAccount: true, givenName: 'Aada' })
  await grantConsent(app, yp, { grantee: { agencyId: health.id, role: 'nurse' }, categories: ['pathway', 'health'], actions: ['read'] })
  const referral = await refer(app, counsellor, { youngPersonId: yp.id, toAgencyId: health.id, toRole: 'nurse' })
  if (referral.statusCode !== 201) throw new Error(`referral: ${referral.statusCode} ${referral.body}`)
  const asked = await app.inject({
    method: 'POST',
    url: `/v1/young-persons/${yp.id}/consent-requests`,
    headers: counsellor.headers,
    payload: { grantee: { agencyId: health.id }, categories: ['education'], actions: ['read'], purpose: 'Study planning' },
  })
  if (asked.statusCode !== 201) throw new Error(`consent request: ${asked.statusCode} ${asked.body}`)
  const created = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: counsellor.headers, payload })
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    return res.json().id as string
  }
  const goalId = await created(`/v1/young-persons/${yp.id}/goals`, { title: 'Find a study place', category: 'pathway' })
  await created(`/v1/young-persons/${yp.id}/notes`, { category: 'pathway', body: 'Agreed to meet every two weeks' })
  const stepId = await created(`/v1/goals/${goalId}/steps`, { title: 'Visit the open day' })

  const items = (res: LightMyRequestResponse) => (res.json().items as unknown[]).length
  const routes: { name: string; request: InjectOptions; bound: number; shows: (res: LightMyRequestResponse) => boolean }[] = [
    { name: 'GET /v1/young-persons/{id}', request: { url: `/v1/young-persons/${yp.id}`, headers: nurse.headers }, bound: 1, shows: (res) => res.json().id === yp.id },
    { name: 'GET /v1/caseload', request: { url: '/v1/caseload', headers: counsellor.headers }, bound: 1, shows: (res) => items(res) > 0 && res.json().total > 0 },
    { name: 'GET /v1/referrals', request: { url: '/v1/referrals', headers: nurse.headers }, bound: 2, shows: (res) => items(res) > 0 },
    { name: 'GET /v1/consent-requests', request: { url: '/v1/consent-requests', headers: counsellor.headers }, bound: 2, shows: (res) => items(res) > 0 },
    { name: 'GET /v1/me/access-log', request: { url: '/v1/me/access-log', headers: yp.actor!.headers }, bound: 2, shows: (res) => items(res) > 0 },
    // One young person's records, read by the nurse the young person gave them to: two flights. BEGIN, the re-check, the
    // consents the door decides on and the read (its rules in its own statements) in one; the audit with COMMIT. A record
    // addressed by its own id goes the same way: its consents are found by the record's id, beside the record itself.
    ...(
      [
        ['notes', 2, (res: LightMyRequestResponse) => items(res) > 0],
        ['timeline', 2, (res: LightMyRequestResponse) => items(res) > 0],
        ['consents', 2, (res: LightMyRequestResponse) => items(res) > 0],
        ['team', 2, (res: LightMyRequestResponse) => items(res) > 0],
        ['pathway', 2, (res: LightMyRequestResponse) => res.json().goals.length > 0],
      ] as const
    ).map(([part, bound, shows]) => ({ name: `GET /v1/young-persons/{id}/${part}`, request: { url: `/v1/young-persons/${yp.id}/${part}`, headers: nurse.headers }, bound, shows })),
    { name: 'GET /v1/goals/{id}', request: { url: `/v1/goals/${goalId}`, headers: nurse.headers }, bound: 2, shows: (res) => res.json().id === goalId && res.json().steps.length > 0 },
    { name: 'GET /v1/steps/{id}', request: { url: `/v1/steps/${stepId}`, headers: nurse.headers }, bound: 2, shows: (res) => res.json().id === stepId },
    { name: 'GET /v1/referrals/{id}', request: { url: `/v1/referrals/${referral.json().id}`, headers: nurse.headers }, bound: 2, shows: (res) => res.json().id === referral.json().id },
  ]

  for (const route of routes) {
    // Warm: the caller is remembered and every statement is prepared on the one connection.
    for (let i = 0; i < 2; i++) {
      const warm = await app.inject(route.request)
      if (warm.statusCode !== 200) throw new Error(`${route.name} warm-up: ${warm.statusCode} ${warm.body}`)
    }
    const { value: res, flights } = await counter.measure(() => app.inject(route.request))
    t.comment(`${route.name}: ${flights} round trip(s)`)
    t.equal(res.statusCode, 200, `${route.name} answers 200`)
    t.ok(route.shows(res), `${route.name} shows data`)
    t.ok(flights <= route.bound, `${route.name} costs at most ${route.bound} round trip(s), measured ${flights}`)
  }
})
