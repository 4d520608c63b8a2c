// The page's protections: CSRF tokens on forms, cookie flags, a strict CSP, sign-out, and no demo sign-in in production.

import t, { type Test as Tap } from 'tap'
import { createAdmin, createAgency, createProfessional } from '../factories.js'
import { build } from '../helper.js'
import { cookieOf, csrfOf, demoSignIn as signInAs, pair, postForm } from './page-session.js'

t.setTimeout(600_000)

async function withDemoPerson(t: Tap, config = {}) {
  const app = await build(t, { config })
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin)
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id })
  const res = await app.inject({
    method: 'POST',
    url: '/v1/young-persons',
    headers: counsellor.headers,
    payload: {
      givenName: 'Demo',
      familyName: 'Person',
      birthDate: '2006-01-01',
      subject: 'demo-young-test',
      consent: { grantee: { professionalId: counsellor.id }, categories: ['identity'], actions: ['read'], purpose: 'Support', evidence: 'FORM-1' },
    },
  })
  t.equal(res.statusCode, 201)
  return { app, counsellor, youngPersonId: res.json().id as string }
}

const demoSignIn = (app: Awaited<ReturnType<typeof build>>) => signInAs(app, 'demo-young-test')

t.test('every page carries a strict CSP with no script at all, and has no inline script', async (t) => {
  const app = await build(t)
  for (const url of ['/my/', '/my/accessibility', '/my/demo-sign-in', '/my/nothing-here']) {
    const res = await app.inject({ method: 'GET', url })
    const csp = String(res.headers['content-security-policy'])
    t.match(csp, /default-src 'none'/, url)
    t.match(csp, /script-src 'none'/, url)
    t.match(csp, /frame-ancestors 'none'/, url)
    t.notMatch(res.body, /<script/i, `${url} has no script element`)
    t.notMatch(res.body, / on[a-z]+="/i, `${url} has no inline handler`)
  }
  const api = await app.inject({ method: 'GET', url: '/health/live' })
  t.notOk(api.headers['content-security-policy'], 'the page plugin stays inside /my')
})

t.test('the session cookie is HttpOnly, SameSite=Lax and scoped to /my; Secure in production', async (t) => {
  const app = await build(t)
  const dev = cookieOf(await app.inject({ method: 'GET', url: '/my/' }))
  t.match(dev, /; HttpOnly/)
  t.match(dev, /; SameSite=Lax/)
  t.match(dev, /; Path=\/my/)
  t.notMatch(dev, /; Secure/)
  const prod = await build(t, { config: { env: 'production' } })
  const secure = cookieOf(await prod.inject({ method: 'GET', url: '/my/' }))
  t.match(secure, /; Secure/)
  t.match(secure, /; HttpOnly/)
})

t.test('a form without its CSRF token, or with a wrong one, is refused with 403', async (t) => {
  const { app } = await withDemoPerson(t)
  const page = await app.inject({ method: 'GET', url: '/my/demo-sign-in' })
  const cookie = pair(cookieOf(page))
  const missing = await app.inject({ method: 'POST', url: '/my/demo-sign-in', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ subject: 'demo-young-test' }).toString() })
  t.equal(missing.statusCode, 403)
  const wrong = await app.inject({ method: 'POST', url: '/my/demo-sign-in', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: 'forged', subject: 'demo-young-test' }).toString() })
  t.equal(wrong.statusCode, 403)
  t.match(wrong.body, /form had expired|lomake oli vanhentunut/i)
  const { res } = await demoSignIn(app)
  t.equal(res.statusCode, 303)
})

t.test('the new-consent form without its CSRF token, or with a wrong one, is refused with 403 and grants nothing', async (t) => {
  const { app, counsellor, youngPersonId } = await withDemoPerson(t)
  const { cookie } = await demoSignIn(app)
  const form = await app.inject({ method: 'GET', url: '/my/grant', headers: { cookie, 'accept-language': 'en' } })
  t.equal(form.statusCode, 200)
  const session = pair(cookieOf(form))
  const until = /name="validUntil" value="([^"]+)"/.exec(form.body)?.[1] ?? ''
  const fields: [string, string][] = [['grantee', `professional:${counsellor.id}`], ['categories', 'health'], ['actions', 'read'], ['validUntil', until], ['purpose', 'Help with my health']]
  const held = async () => (await app.inject({ method: 'GET', url: `/v1/young-persons/${youngPersonId}/consents`, headers: counsellor.headers })).json().items.length
  const missing = await postForm(app, '/my/grant', session, fields)
  t.equal(missing.statusCode, 403)
  const wrong = await postForm(app, '/my/grant', session, [['_csrf', 'forged'], ...fields])
  t.equal(wrong.statusCode, 403)
  t.match(wrong.body, /form had expired|lomake oli vanhentunut/i)
  t.equal(await held(), 1, 'nothing was granted')
  const right = await postForm(app, '/my/grant', session, [['_csrf', csrfOf(form.body)], ...fields])
  t.equal(right.statusCode, 303, 'the same form with its token grants')
  t.equal(await held(), 2)
})

t.test('demo sign-in works in development and signs out; in production it is refused', async (t) => {
  const { app } = await withDemoPerson(t)
  const { cookie } = await demoSignIn(app)
  const home = await app.inject({ method: 'GET', url: '/my/', headers: { cookie, 'accept-language': 'en' } })
  t.match(home.body, /Hello, Demo/)
  const signOut = await app.inject({ method: 'POST', url: '/my/sign-out', headers: { cookie: pair(cookieOf(home)), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrfOf(home.body) }).toString() })
  t.equal(signOut.statusCode, 200)
  const after = await app.inject({ method: 'GET', url: '/my/', headers: { cookie: pair(cookieOf(signOut)), 'accept-language': 'en' } })
  t.match(after.body, /<h1>Your Polku page<\/h1>/)

  const { app: prod } = await withDemoPerson(t, { env: 'production' })
  const list = await prod.inject({ method: 'GET', url: '/my/demo-sign-in' })
  t.equal(list.statusCode, 404)
  t.notMatch(list.body, /demo-young-test/)
  const first = await prod.inject({ method: 'GET', url: '/my/' })
  t.notMatch(first.body, /demo-sign-in/, 'production does not offer it')
  const post = await prod.inject({ method: 'POST', url: '/my/demo-sign-in', headers: { cookie: pair(cookieOf(first)), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrfOf(first.body), subject: 'demo-young-test' }).toString() })
  t.equal(post.statusCode, 404)
  t.notOk(String(post.headers['set-cookie'] ?? '').includes('polku_session=') && post.statusCode === 303)
})

t.test('a session past its idle lifetime is ended', async (t) => {
  const { app } = await withDemoPerson(t)
  const { cookie } = await demoSignIn(app)
  const realNow = Date.now
  t.teardown(() => {
    Date.now = realNow
  })
  Date.now = () => realNow() + (app.config.page.sessionIdleMinutes + 1) * 60_000
  const later = await app.inject({ method: 'GET', url: '/my/', headers: { cookie, 'accept-language': 'en' } })
  t.match(later.body, /<h1>Your Polku page<\/h1>/)
})
