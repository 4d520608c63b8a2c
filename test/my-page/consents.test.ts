// The page's consents: who recorded an in-person consent and its evidence, who withdrew one, and a new consent to the team.
import t, { type Test as Tap } from 'tap'
import { createAdmin, createAgency, createProfessional } from '../factories.js'
import { build } from '../helper.js'
import { cookieOf, csrfOf, demoSignIn, pair, postForm } from './page-session.js'

t.setTimeout(600_000)

const DAY_MS = 24 * 3600 * 1000
const dayIn = (days: number) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' }).format(new Date(Date.now() + days * DAY_MS))

async function world(t: Tap) {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth Health Services', kind: 'health_services' })
  const social = await createAgency(app, admin, { name: 'Social Services', kind: 'social_services' })
  const work = await createAgency(app, admin, { name: 'Employment Office', kind: 'employment_service' })
  const alice = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Alice Nurse' })
  const bob = await createProfessional(app, admin, { agencyId: social.id, role: 'social_worker', displayName: 'Bob Social' })
  const carl = await createProfessional(app, admin, { agencyId: work.id, role: 'youth_counsellor', displayName: 'Carl Outside' })
  const intake = await app.inject({
    method: 'POST',
    url: '/v1/young-persons',
    headers: alice.headers,
    payload: {
      givenName: 'Aada',
      familyName: 'Testinen',
      birthDate: '2006-01-01',
      subject: 'demo-young-aada',
      consent: { grantee: { professionalId: alice.id }, categories: ['identity', 'health'], actions: ['read', 'write'], purpose: 'Health support', evidence: 'FORM-2026-001' },
    },
  })
  t.equal(intake.statusCode, 201, intake.body)
  const id = intake.json().id as string
  // Alice records, in person, a consent for Bob; later Bob records the withdrawal of Alice's own consent.
  const forBob = await app.inject({
    method: 'POST',
    url: `/v1/young-persons/${id}/consents`,
    headers: alice.headers,
    payload: { grantee: { professionalId: bob.id }, categories: ['social'], actions: ['read'], purpose: 'Help with housing benefits', evidence: 'FORM-77' },
  })
  t.equal(forBob.statusCode, 201, forBob.body)
  const revoked = await app.inject({ method: 'POST', url: `/v1/consents/${intake.json().consent.id}/revoke`, headers: bob.headers, payload: {} })
  t.equal(revoked.statusCode, 200, revoked.body)
  const { cookie } = await demoSignIn(app, 'demo-young-aada')
  return { app, id, alice, bob, carl, social, cookie, aliceConsent: intake.json().consent.id as string, bobConsent: forBob.json().id as string }
}

t.test('an in-person consent says who recorded it (role, name, agency) and its evidence; a withdrawn one says who withdrew it', async (t) => {
  const { app, cookie, aliceConsent } = await world(t)
  const en = await app.inject({ method: 'GET', url: '/my/', headers: { cookie, 'accept-language': 'en' } })
  t.equal(en.statusCode, 200)
  t.match(en.body, /Bob Social \(social worker, Social Services\) may read your social services information until/)
  t.match(en.body, /You gave this consent in person\. Alice Nurse \(nurse, Youth Health Services\) recorded it on \d+ \w+ \d{4}\. Proof of your consent: FORM-77\./)
  t.match(en.body, /Alice Nurse \(nurse, Youth Health Services\) may read and add to .*\(withdrawn\).*Proof of your consent: FORM-2026-001\. Bob Social \(social worker, Social Services\) withdrew it for you on \d+ \w+ \d{4}\./s)

  const fi = await app.inject({ method: 'GET', url: '/my/', headers: { cookie, 'accept-language': 'fi' } })
  t.match(fi.body, /Alice Nurse \(terveydenhoitaja, Youth Health Services\) kirjasi sen .*Todiste suostumuksestasi: FORM-77\./)
  t.match(fi.body, /Bob Social \(sosiaalityöntekijä, Social Services\) perui sen puolestasi/)

  const details = await app.inject({ method: 'GET', url: `/my/consents/${aliceConsent}`, headers: { cookie, 'accept-language': 'sv' } })
  t.equal(details.statusCode, 200)
  t.match(details.body, /<dt>Återkallat<\/dt><dd>Bob Social \(socialarbetare, Social Services\) återkallade det för din räkning den/)
  t.match(details.body, /Alice Nurse \(hälsovårdare, Youth Health Services\) registrerade det den .*Bevis på ditt samtycke: FORM-2026-001\./)
})

t.test('the new-consent form offers only the team, puts each error beside its field, and grants through the API’s own rules', async (t) => {
  const { app, id, bob, carl, social, cookie: signedIn } = await world(t)
  const en = { 'accept-language': 'en' }
  const form = await app.inject({ method: 'GET', url: '/my/grant', headers: { cookie: signedIn, ...en } })
  t.equal(form.statusCode, 200)
  const cookie = pair(cookieOf(form))
  const csrf: [string, string] = ['_csrf', csrfOf(form.body)]
  const offered = [...form.body.matchAll(/<label for="grantee-\d+">([^<]+)<\/label>/g)].map((m) => m[1])
  t.same(offered, [
    'Alice Nurse (nurse, Youth Health Services)',
    'Bob Social (social worker, Social Services)',
    'The staff of Social Services',
    'The social workers of Social Services',
    'The staff of Youth Health Services',
    'The nurses of Youth Health Services',
  ], 'those who hold or held a consent, their agencies and roles; nobody else')
  t.notMatch(form.body, /Carl Outside|Employment Office/)

  const empty = await postForm(app, '/my/grant', cookie, [csrf, ['validUntil', '']], en)
  t.equal(empty.statusCode, 422)
  t.match(empty.body, /<div class="error-summary" role="alert"/)
  for (const [field, text] of [
    ['grantee', 'Choose who may see your information.'],
    ['categories', 'Choose at least one kind of information.'],
    ['actions', 'Choose at least one thing they may do.'],
    ['validUntil', 'Choose a date from'],
    ['purpose', 'Write why you give this consent'],
  ]) {
    t.match(empty.body, new RegExp(`<p class="error" id="${field}-error">${text}`), `${field}: its error beside it`)
    t.match(empty.body, new RegExp(`aria-describedby="[^"]*${field}-error"`), `${field}: the error is tied to the field`)
  }
  t.match(empty.body, /id="validUntil"[^>]*aria-invalid="true"/)

  const grant = (grantee: string, until: string) =>
    postForm(app, '/my/grant', cookie, [csrf, ['grantee', grantee], ['categories', 'social'], ['categories', 'housing'], ['actions', 'read'], ['validUntil', until], ['purpose', 'Help finding a flat']], en)
  const outsider = await grant(`professional:${carl.id}`, dayIn(90))
  t.equal(outsider.statusCode, 422, 'someone not on the team is refused')
  t.match(outsider.body, /<p class="error" id="grantee-error">Choose who may see your information\./)
  t.notMatch(outsider.body, /id="categories-error"/, 'the other fields were fine')
  t.match(outsider.body, /value="housing" checked/, 'what was chosen is kept')
  t.equal((await app.inject({ method: 'GET', url: `/v1/young-persons/${id}`, headers: carl.headers })).statusCode, 404, 'and gets nothing')

  const tooLate = await grant(`agency:${social.id}:social_worker`, dayIn(400))
  t.equal(tooLate.statusCode, 422)
  t.match(tooLate.body, /<p class="error" id="validUntil-error">Choose a date from/)

  const done = await grant(`agency:${social.id}:social_worker`, dayIn(90))
  t.equal(done.statusCode, 303)
  t.equal(done.headers.location, '/my/?done=granted')
  const home = await app.inject({ method: 'GET', url: '/my/?done=granted', headers: { cookie, ...en } })
  t.match(home.body, /Done\. Your consent is given\./)
  t.match(home.body, /The social workers of Social Services may read your social services information and housing information until/)

  const held = await app.inject({ method: 'GET', url: `/v1/young-persons/${id}/consents`, headers: bob.headers })
  const granted = held.json().items.find((c: { grantee: { role: string | null } }) => c.grantee.role === 'social_worker')
  t.match(granted, {
    grantee: { professionalId: null, agencyId: social.id, role: 'social_worker' },
    categories: ['social', 'housing'],
    actions: ['read'],
    purpose: 'Help finding a flat',
    method: 'digital',
    evidence: null,
    recordedBy: { kind: 'young_person' },
    status: 'active',
  })
  t.equal(new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' }).format(new Date(granted.validUntil)), dayIn(90), 'valid through the chosen day, Finnish time')
  const receipt = await app.inject({ method: 'GET', url: `/my/consents/${granted.id}`, headers: { cookie, ...en } })
  t.match(receipt.body, new RegExp(`&quot;recordId&quot;: &quot;${granted.id}&quot;`), 'its receipt is on the page')
})

t.test('extending a consent on the page keeps it through the chosen day; a day that does not exist changes nothing', async (t) => {
  const { app, id, bob, bobConsent, cookie: signedIn } = await world(t)
  const details = await app.inject({ method: 'GET', url: `/my/consents/${bobConsent}`, headers: { cookie: signedIn, 'accept-language': 'en' } })
  const cookie = pair(cookieOf(details))
  const change = (until: string) => postForm(app, `/my/consents/${bobConsent}/change`, cookie, [['_csrf', csrfOf(details.body)], ['categories', 'social'], ['validUntil', until]])
  t.equal((await change('2027-02-30')).statusCode, 422)
  t.match((await app.inject({ method: 'GET', url: `/v1/consents/${bobConsent}`, headers: bob.headers })).json(), { status: 'active' }, 'still in force, unchanged')
  t.equal((await change(dayIn(200))).statusCode, 303)
  const held = (await app.inject({ method: 'GET', url: `/v1/young-persons/${id}/consents`, headers: bob.headers })).json().items
  const replacement = held.find((c: { status: string }) => c.status === 'active')
  t.equal(new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' }).format(new Date(replacement.validUntil)), dayIn(200), 'valid through the chosen day, Finnish time')
})
