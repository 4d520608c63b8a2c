// Linking a login to a record with the one-time code from intake, through POST /v1/me/link.
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { linkCodes } from '../../src/db/schema/index.js'
import { WRONG_CODES_PER_WINDOW } from '../../src/modules/linking/link-attempts.js'
import { createAdmin, createAgency, createAuditor, createPartnerClient, createProfessional, createYoungPerson, partnerHeaders } from '../factories.js'
import { bearer, build, type Test, tokenFor } from '../helper.js'

async function world(t: Test) {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin)
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id })
  const person = await createYoungPerson(app, counsellor)
  return { app, counsellor, person }
}

const link = (app: Awaited<ReturnType<typeof world>>['app'], subject: string, code: string) =>
  app.inject({ method: 'POST', url: '/v1/me/link', headers: bearer(tokenFor(app, subject)), payload: { code } })

t.test('intake returns a short, typable code once; it links a new sign-in to the record', async (t) => {
  const { app, person } = await world(t)
  t.match(person.linkCode, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/)
  const subject = `oidc-${randomUUID()}`
  // Typed in lower case and without the dash, as people do.
  const res = await link(app, subject, person.linkCode!.toLowerCase().replace('-', ' '))
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { youngPersonId: person.id })
  const me = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(tokenFor(app, subject)) })
  t.equal(me.statusCode, 200)
  t.equal(me.json().id, person.id)
})

t.test('a used code is refused with a clear message, and the code is stored only as a hash', async (t) => {
  const { app, person } = await world(t)
  t.equal((await link(app, `oidc-${randomUUID()}`, person.linkCode!)).statusCode, 200)
  const again = await link(app, `oidc-${randomUUID()}`, person.linkCode!)
  t.equal(again.statusCode, 409)
  t.match(again.json().detail, /already been used/)
  const rows = await app.database.transaction((tx) => tx.select().from(linkCodes))
  t.notOk(JSON.stringify(rows).includes(person.linkCode!.replace('-', '')), 'the plain code is not stored')
})

t.test('an expired code is refused', async (t) => {
  const { app, person } = await world(t)
  await app.database.transaction((tx) => tx.update(linkCodes).set({ expiresAt: sql`now() - interval '1 minute'` }))
  const res = await link(app, `oidc-${randomUUID()}`, person.linkCode!)
  t.equal(res.statusCode, 409)
  t.match(res.json().detail, /expired/)
})

t.test('wrong codes are audited and limited per sign-in; the right code then waits too', async (t) => {
  const { app, person } = await world(t)
  const subject = `oidc-${randomUUID()}`
  for (let i = 0; i < WRONG_CODES_PER_WINDOW; i++) {
    const res = await link(app, subject, 'AAAAA-AAAAA')
    t.equal(res.statusCode, 422)
    t.match(res.json().detail, /not valid/)
  }
  const limited = await link(app, subject, person.linkCode!)
  t.equal(limited.statusCode, 429)
  t.ok(Number(limited.headers['retry-after']) > 0)
  // Another identity is not held back by this one's mistakes.
  t.equal((await link(app, `oidc-${randomUUID()}`, person.linkCode!)).statusCode, 200)

  const auditor = await createAuditor(app)
  const events = await app.inject({ method: 'GET', url: '/v1/audit/events?limit=100', headers: auditor.headers })
  const denied = events.json().items.filter((e: { action: string; outcome: string }) => e.action === 'link' && e.outcome === 'denied')
  t.equal(denied.length, WRONG_CODES_PER_WINDOW)
})

t.test('a sign-in that already has an account cannot link another record; a token is required', async (t) => {
  const { app, counsellor, person } = await world(t)
  const res = await link(app, counsellor.subject, person.linkCode!)
  t.equal(res.statusCode, 409)
  const anonymous = await app.inject({ method: 'POST', url: '/v1/me/link', payload: { code: person.linkCode } })
  t.equal(anonymous.statusCode, 401)
})

t.test("a partner system's token cannot take a young person's code; the code still links the young person afterwards", async (t) => {
  const { app, person } = await world(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Partner agency' })
  const partner = await partnerHeaders(app, await createPartnerClient(app, admin, { agencyId: agency.id, scopes: ['pathway:read'] }))
  const taken = await app.inject({ method: 'POST', url: '/v1/me/link', headers: partner, payload: { code: person.linkCode } })
  t.equal(taken.statusCode, 409, 'a partner client is already someone: refused like any signed-in account')
  t.match(taken.json(), { detail: 'This sign-in is already linked to a record.' })
  const subject = `oidc-${randomUUID()}`
  const res = await link(app, subject, person.linkCode!)
  t.equal(res.statusCode, 200, 'the code was not used up')
  t.same(res.json(), { youngPersonId: person.id })
})
