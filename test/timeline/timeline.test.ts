// The timeline shows each caller exactly the categories they may read, newest first, paged without gaps or repeats.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { goals, notes, steps } from '../../src/db/schema/index.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'

interface Item {
  type: string
  id: string
  at: string
  category: string | null
  body: string | null
  correctsId: string | null
}

t.test('timeline', async (t) => {
  const app = await build(t)
  const db = app.database.db
  const admin = await createAdmin(app)
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor' })
  const jobCoach = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const stranger = await createProfessional(app, admin, { agencyId: health.id, role: 'psychologist' })

  const timeline = async (actor: { headers: object }, url: string) => {
    const res = await app.inject({ url, headers: actor.headers as Record<string, string> })
    return { status: res.statusCode, body: res.json() as { items: Item[]; nextCursor: string | null } }
  }

  t.test('each caller sees only the categories their consent covers, and the young person sees everything', async (t) => {
    const yp = await createYoungPerson(app, counsellor, { withAccount: true, categories: ['identity', 'pathway', 'employment'] })
    // A referral is pathway data: its receiver needs a consent covering pathway and the referral's categories.
    const nurseConsent = await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['pathway', 'health'] })
    const coachConsent = await grantConsent(app, yp, { grantee: { professionalId: jobCoach.id }, categories: ['employment'] })
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 10, 9, minute))
    const [workGoal] = await db.insert(goals).values({ youngPersonId: yp.id, title: 'Find a work practice place', createdByProfessionalId: counsellor.id, createdAt: at(1) }).returning()
    const [sleepGoal] = await db.insert(goals).values({ youngPersonId: yp.id, title: 'Regular sleep rhythm', category: 'health', createdAt: at(2) }).returning()
    const [step] = await db.insert(steps).values({ goalId: workGoal!.id, youngPersonId: yp.id, title: 'Update the CV', ownerProfessionalId: counsellor.id, createdAt: at(3) }).returning()
    const [jobNote] = await db.insert(notes).values({ youngPersonId: yp.id, category: 'employment', body: 'Applied to three places', authorProfessionalId: counsellor.id, createdAt: at(4) }).returning()
    const [healthNote] = await db.insert(notes).values({ youngPersonId: yp.id, category: 'health', body: 'Blood pressure 150/95', authorProfessionalId: nurse.id, createdAt: at(5) }).returning()
    const [correction] = await db
      .insert(notes)
      .values({ youngPersonId: yp.id, category: 'health', body: 'Correction: 130/85', authorProfessionalId: nurse.id, correctsId: healthNote!.id, createdAt: at(6) })
      .returning()
    const referral = await app.inject({
      method: 'POST',
      url: '/v1/referrals',
      headers: counsellor.headers,
      payload: { youngPersonId: yp.id, toAgencyId: health.id, toRole: 'nurse', reason: 'Health check before work practice', categories: ['health'] },
    })
    t.equal(referral.json().status, 'pending')
    const referralId = referral.json().id as string
    const url = `/v1/young-persons/${yp.id}/timeline`
    const keys = (items: Item[]) => items.map((i) => `${i.type}:${i.id}`).sort()

    const byCounsellor = await timeline(counsellor, url)
    t.equal(byCounsellor.status, 200)
    t.same(
      keys(byCounsellor.body.items),
      [`consent_granted:${yp.consentId}`, `goal:${workGoal!.id}`, `note:${jobNote!.id}`, `referral:${referralId}`, `step:${step!.id}`].sort(),
      'pathway and employment, no health goal, no health notes, only their own consent',
    )
    const ordered = byCounsellor.body.items.map((i) => i.at)
    t.same(ordered, [...ordered].sort().reverse(), 'newest first')
    t.match(byCounsellor.body.items.find((i) => i.type === 'step'), { title: 'Update the CV', goalId: workGoal!.id, category: 'pathway', status: 'open' })
    t.match(byCounsellor.body.items.find((i) => i.type === 'referral'), { status: 'pending', agencyId: health.id, role: 'nurse', categories: ['health'], body: null })

    const byCoach = await timeline(jobCoach, url)
    t.same(keys(byCoach.body.items), [`consent_granted:${coachConsent.id}`, `note:${jobNote!.id}`].sort(), 'employment only: neither health notes nor their count')
    t.match(byCoach.body.items.find((i) => i.type === 'note'), { category: 'employment', body: 'Applied to three places', correctsId: null })

    const byNurse = await timeline(nurse, url)
    t.same(
      keys(byNurse.body.items),
      [
        `consent_granted:${nurseConsent.id}`,
        `goal:${workGoal!.id}`,
        `goal:${sleepGoal!.id}`,
        `step:${step!.id}`,
        `note:${healthNote!.id}`,
        `note:${correction!.id}`,
        `referral:${referralId}`,
      ].sort(),
      'pathway and health: goals, steps, health notes, the referral they received, their own consent; no employment notes',
    )
    t.match(byNurse.body.items.find((i) => i.id === correction!.id), { body: 'Correction: 130/85', correctsId: healthNote!.id, category: 'health' })
    t.match(byNurse.body.items.find((i) => i.id === healthNote!.id), { body: 'Blood pressure 150/95' }, 'the corrected note stays visible')

    const mine = await timeline(yp.actor!, '/v1/me/timeline')
    t.equal(mine.status, 200)
    t.same(
      keys(mine.body.items),
      [
        `consent_granted:${yp.consentId}`,
        `consent_granted:${nurseConsent.id}`,
        `consent_granted:${coachConsent.id}`,
        `goal:${workGoal!.id}`,
        `goal:${sleepGoal!.id}`,
        `step:${step!.id}`,
        `note:${jobNote!.id}`,
        `note:${healthNote!.id}`,
        `note:${correction!.id}`,
        `referral:${referralId}`,
      ].sort(),
      'the young person sees everything about themselves',
    )
    t.match(mine.body.items.find((i) => i.id === sleepGoal!.id), { category: 'health', title: 'Regular sleep rhythm' })
    t.same((await timeline(yp.actor!, url)).body.items.length, mine.body.items.length, 'their own id in the path gives the same')

    const readAudit = await queryRows<{ category: string | null }>(
      db,
      sql`select category from audit_events where young_person_id = ${yp.id} and resource_type = 'Timeline' and actor_account_id = (select account_id from professionals where id = ${nurse.id}) and outcome = 'allowed'`,
    )
    t.same(readAudit.map((r) => r.category).sort(), ['health', 'pathway'], 'the nurse’s read is logged per category shown')

    await app.inject({ method: 'POST', url: `/v1/consents/${nurseConsent.id}/revoke`, headers: yp.actor!.headers, payload: {} })
    t.equal((await timeline(nurse, url)).status, 404, 'withdrawal hides the timeline on the next request')
    const afterRevoke = await timeline(yp.actor!, '/v1/me/timeline')
    t.match(afterRevoke.body.items[0], { type: 'consent_revoked', id: nurseConsent.id, professionalId: nurse.id, categories: ['pathway', 'health'] })
  })

  t.test('callers without consent get the same 404 as for an unknown young person, and are audited', async (t) => {
    const yp = await createYoungPerson(app, counsellor, { withAccount: true })
    const hidden = await timeline(stranger, `/v1/young-persons/${yp.id}/timeline`)
    const unknown = await timeline(stranger, '/v1/young-persons/00000000-0000-4000-8000-000000000000/timeline')
    t.equal(hidden.status, 404)
    const strip = (b: object) => ({ ...b, requestId: undefined, instance: undefined })
    t.same(strip(hidden.body), strip(unknown.body))
    const other = await createYoungPerson(app, counsellor, { withAccount: true })
    t.equal((await timeline(other.actor!, `/v1/young-persons/${yp.id}/timeline`)).status, 404, 'a young person sees only their own')
    t.equal((await timeline(counsellor, '/v1/me/timeline')).status, 403)
    t.equal((await timeline(admin, `/v1/young-persons/${yp.id}/timeline`)).status, 404, 'an admin reads no personal data')
    const [denied] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from audit_events where young_person_id = ${yp.id} and resource_type = 'Timeline' and outcome = 'denied'`,
    )
    t.equal(denied!.n, 3)
  })

  t.test('pages follow (at, id) without repeats or gaps, also across equal times, and hidden items never fill a page', async (t) => {
    const yp = await createYoungPerson(app, counsellor, { categories: ['identity', 'pathway', 'employment'] })
    const same = new Date(Date.UTC(2026, 1, 1, 12, 0))
    const rows = []
    for (let i = 0; i < 24; i++) {
      // A third share one instant, so only the id orders them; every other one is a hidden health note.
      const createdAt = i % 3 === 0 ? same : new Date(same.getTime() - i * 60_000)
      rows.push({ youngPersonId: yp.id, category: i % 2 === 0 ? 'employment' : 'health', body: `note ${i}`, authorProfessionalId: counsellor.id, createdAt })
    }
    await db.insert(notes).values(rows)
    await db.insert(goals).values(Array.from({ length: 6 }, (_, i) => ({ youngPersonId: yp.id, title: `goal ${i}`, createdAt: same })))
    const url = `/v1/young-persons/${yp.id}/timeline`
    const whole = await timeline(counsellor, `${url}?limit=100`)
    t.equal(whole.body.items.length, 12 + 6 + 1, 'employment notes, goals and the intake consent')
    t.notOk(whole.body.items.some((i) => i.category === 'health'))
    t.equal(whole.body.nextCursor, null)

    const seen: Item[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page = await timeline(counsellor, `${url}?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
      t.equal(page.status, 200)
      t.ok(page.body.items.length <= 4)
      seen.push(...page.body.items)
      cursor = page.body.nextCursor
      pages++
    } while (cursor !== null && pages < 20)
    t.equal(pages, 5)
    t.same(
      seen.map((i) => `${i.type}:${i.id}`),
      whole.body.items.map((i) => `${i.type}:${i.id}`),
      'paging yields the single-page order, each item once',
    )
    t.equal(new Set(seen.map((i) => `${i.type}:${i.id}`)).size, seen.length)
    t.equal((await timeline(counsellor, `${url}?cursor=not-a-cursor`)).status, 400)
  })
})
