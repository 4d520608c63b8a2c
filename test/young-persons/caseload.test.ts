// The caseload is for professionals and partner systems; its names and dates follow the single read's rules.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { verifyAuditLog } from '../../src/modules/audit/audit.verify.js'
import { createAdmin, createAgency, createAuditor, createPartnerClient, createProfessional, createYoungPerson, grantConsent, partnerHeaders } from '../factories.js'
import { build } from '../helper.js'

/** RFC 3339 date-time, as JSON Schema's `date-time` format means it. */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/

t.test('GET /v1/caseload', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const auditor = await createAuditor(app)
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor' })
  const partner = await partnerHeaders(app, await createPartnerClient(app, admin, { agencyId: employment.id, scopes: ['pathway:read'] }))
  const yp = await createYoungPerson(app, counsellor, { withAccount: true })
  await grantConsent(app, yp, { grantee: { agencyId: employment.id }, categories: ['identity', 'pathway'], actions: ['read'] })

  await t.test('a young person, an admin and an auditor get 403 with a problem document that says why', async (t) => {
    for (const headers of [yp.actor!.headers, admin.headers, auditor.headers]) {
      const res = await app.inject({ url: '/v1/caseload', headers })
      t.equal(res.statusCode, 403)
      t.match(res.headers['content-type'], /^application\/problem\+json/)
      t.match(res.json(), { code: 'POLKU_FORBIDDEN', detail: /for professionals and partner systems/ })
    }
  })

  await t.test('a partner sees no names in the list, exactly as in the single read, under the same agency consent', async (t) => {
    const list = await app.inject({ url: '/v1/caseload', headers: partner })
    t.equal(list.statusCode, 200)
    const item = list.json().items.find((i: { id: string }) => i.id === yp.id)
    t.match(item, { givenName: null, familyName: null, categories: ['identity', 'pathway'] })
    const single = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: partner })
    t.equal(single.statusCode, 200)
    t.notOk('givenName' in single.json() || 'familyName' in single.json())
  })

  await t.test('the professional sees the names in both, and every date-time is RFC 3339', async (t) => {
    const list = await app.inject({ url: '/v1/caseload', headers: counsellor.headers })
    const item = list.json().items.find((i: { id: string }) => i.id === yp.id)
    t.match(item, { givenName: 'Aada', familyName: 'Testinen' })
    for (const i of list.json().items) {
      t.match(i.createdAt, RFC3339)
      t.match(i.consentValidUntil, RFC3339)
    }
  })
})

t.test('paging through the caseload: every page gives the whole count, a page past the end is empty', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  const colleague = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  const held = [await createYoungPerson(app, counsellor), await createYoungPerson(app, counsellor), await createYoungPerson(app, counsellor)]
  await createYoungPerson(app, colleague)

  const first = await app.inject({ url: '/v1/caseload?limit=2', headers: counsellor.headers })
  t.equal(first.statusCode, 200)
  t.match(first.json(), { total: 3, items: [{ id: held[2]!.id }, { id: held[1]!.id }] })
  t.equal(first.json().items.length, 2)
  const second = await app.inject({ url: `/v1/caseload?limit=2&cursor=${first.json().nextCursor}`, headers: counsellor.headers })
  t.same({ ...second.json(), items: second.json().items.map((i: { id: string }) => i.id) }, { total: 3, items: [held[0]!.id], nextCursor: null })

  const last = second.json().items[0] as { id: string; createdAt: string }
  const pastEnd = Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url')
  const empty = await app.inject({ url: `/v1/caseload?limit=2&cursor=${pastEnd}`, headers: counsellor.headers })
  t.equal(empty.statusCode, 200)
  t.same(empty.json(), { total: 3, items: [], nextCursor: null }, 'no rows, and still the count')

  const none = await app.inject({ url: '/v1/caseload', headers: (await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })).headers })
  t.same(none.json(), { total: 0, items: [], nextCursor: null }, 'no consent: nothing, counted as nothing')
})

t.test('each young person a caseload page shows is one list event on their chain, and the chains verify', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Youth services', kind: 'youth_work' })
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  const held = [await createYoungPerson(app, counsellor), await createYoungPerson(app, counsellor), await createYoungPerson(app, counsellor)]
  const listEvents = () =>
    app.database.transaction((tx) =>
      queryRows<{ resource_id: string; young_person_id: string; chain: string; category: string | null; consent_ids: string[]; outcome: string; actor_kind: string }>(
        tx,
        sql`select resource_id, young_person_id, chain, category, consent_ids, outcome, actor_kind from audit_events where action = 'list' and resource_type = 'YoungPerson' order by young_person_id`,
      ),
    )

  const first = await app.inject({ url: '/v1/caseload?limit=2', headers: counsellor.headers })
  t.equal(first.statusCode, 200)
  const shown = [held[2]!.id, held[1]!.id].sort()
  t.same(
    await listEvents(),
    shown.map((id) => ({ resource_id: id, young_person_id: id, chain: id, category: 'identity', consent_ids: [], outcome: 'allowed', actor_kind: 'professional' })),
    'the two shown, with their names (identity); none for the one on the next page',
  )
  await app.inject({ url: `/v1/caseload?limit=2&cursor=${first.json().nextCursor}`, headers: counsellor.headers })
  t.equal((await listEvents()).length, 3, 'the next page adds the third')

  const result = await verifyAuditLog(app.database)
  t.equal(result.ok, true, 'the hashes the statement computed are the ones the verifier recomputes')
  t.equal(result.firstBroken, null)

  const ids = await app.database.transaction((tx) =>
    queryRows<{ id: string; ms: string; occurred: string }>(
      tx,
      sql`select id::text, ('x' || replace(left(id::text, 13), '-', ''))::bit(48)::bigint::text as ms, floor(extract(epoch from occurred_at) * 1000)::bigint::text as occurred
          from audit_events where action = 'list'`,
    ),
  )
  t.equal(new Set(ids.map((r) => r.id)).size, 3, 'each event an id of its own')
  for (const { id, ms, occurred } of ids) {
    t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a version 7 uuid')
    t.ok(Math.abs(Number(ms) - Number(occurred)) < 60_000, 'whose time is when the event occurred')
  }
})

t.test("a young person reached both through the professional's own consent and through their agency's is counted and listed once", async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  const colleague = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  const both = await createYoungPerson(app, counsellor, { withAccount: true })
  await grantConsent(app, both, { grantee: { agencyId: agency.id }, categories: ['pathway'] })
  const viaAgency = await createYoungPerson(app, colleague, { grantee: { agencyId: agency.id } })
  const own = await createYoungPerson(app, counsellor)
  // Given to the agency's nurses only: not the counsellor's.
  await createYoungPerson(app, colleague, { grantee: { agencyId: agency.id, role: 'nurse' } })

  const whole = await app.inject({ url: '/v1/caseload', headers: counsellor.headers })
  t.same({ total: whole.json().total, items: whole.json().items.map((i: { id: string }) => i.id) }, { total: 3, items: [own.id, viaAgency.id, both.id] })
  const paged: string[] = []
  let cursor: string | null = null
  do {
    const res = await app.inject({ url: `/v1/caseload?limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers: counsellor.headers })
    const page = res.json() as { total: number; items: { id: string }[]; nextCursor: string | null }
    t.equal(page.total, 3, 'every page counts each young person once')
    paged.push(...page.items.map((i) => i.id))
    cursor = page.nextCursor
  } while (cursor !== null)
  t.same(paged, [own.id, viaAgency.id, both.id], 'pages of one list each young person once, in order')
  const item = whole.json().items.find((i: { id: string }) => i.id === both.id)
  t.same(item.categories, ['identity', 'pathway'], 'with the categories of both consents')
})
