// The page's protections: CSRF tokens on forms, cookie flags, a strict CSP, sign-out, and no demo sign-in in production.

import type { LightMyRequestResponse } from 'fastify'
import t, { type Test as Tap } from 'tap'
import { createAdmin, createAgency, createProfessional } from '../factories.js'
import { build } from '../helper.js'

t.setTimeout(600_000)

type App = Awaited<ReturnType<typeof build>>

function cookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie']
  const all = Array.isArray(header) ? header : header ? [header] : []
  const session = all.find((c) => c.startsWith('polku_session='))
  if (!session) throw new Error('no session cookie was set')
  return session
}
const pair = (setCookie: string) => setCookie.split(';')[0]!
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''

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
  return app
}

async function demoSignIn(app: App) {
  const page = await app.inject({ method: 'GET', url: '/my/demo-sign-in' })
  const cookie = pair(cookieOf(page))
  const res = await app.inject({ method: 'POST', url: '/my/demo-sign-in', headers: { cookie }, payload: { _csrf: csrfOf(page.body), subject: 'demo-young-test' } })
  return { res, cookie: pair(cookieOf(res)) }
}

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
  const app = await withDemoPerson(t)
  const page = await app.inject({ method: 'GET', url: '/my/demo-sign-in' })
  const cookie = pair(cookieOf(page))
  const missing = await app.inject({ method: 'POST', url: '/my/demo-sign-in', headers: { cookie }, payload: { subject: 'demo-young-test' } })
  t.equal(missing.statusCode, 403)
  const wrong = await app.inject({ method: 'POST', url: '/my/demo-sign-in', headers: { cookie }, payload: { _csrf: 'forged', subject: 'demo-young-test' } })
  t.equal(wrong.statusCode, 403)
  t.match(wrong.body, /form had expired|lomake oli vanhentunut/i)
  const { res } = await demoSignIn(app)
  t.equal(res.statusCode, 303)
})

t.test('demo sign-in works in development and signs out; in production it is refused', async (t) => {
  const app = await withDemoPerson(t)
  const { cookie } = await demoSignIn(app)
  const home = await app.inject({ method: 'GET', url: '/my/', headers: { cookie, 'accept-language': 'en' } })
  t.match(home.body, /Hello, Demo/)
  const signOut = await app.inject({ method: 'POST', url: '/my/sign-out', headers: { cookie }, payload: { _csrf: csrfOf(home.body) } })
  t.equal(signOut.statusCode, 200)
  const after = await app.inject({ method: 'GET', url: '/my/', headers: { cookie: pair(cookieOf(signOut)), 'accept-language': 'en' } })
  t.match(after.body, /<h1>Your Polku page<\/h1>/)

  const prod = await withDemoPerson(t, { env: 'production' })
  const list = await prod.inject({ method: 'GET', url: '/my/demo-sign-in' })
  t.equal(list.statusCode, 404)
  t.notMatch(list.body, /demo-young-test/)
  const first = await prod.inject({ method: 'GET', url: '/my/' })
  t.notMatch(first.body, /demo-sign-in/, 'production does not offer it')
  const post = await prod.inject({ method: 'POST', url: '/my/demo-sign-in', headers: { cookie: pair(cookieOf(first)) }, payload: { _csrf: csrfOf(first.body), subject: 'demo-young-test' } })
  t.equal(post.statusCode, 404)
  t.notOk(String(post.headers['set-cookie'] ?? '').includes('polku_session=') && post.statusCode === 303)
})

t.test('a session past its idle lifetime is ended', async (t) => {
  const app = await withDemoPerson(t)
  const { cookie } = await demoSignIn(app)
  const realNow = Date.now
  t.teardown(() => {
    Date.now = realNow
  })
  Date.now = () => realNow() + (app.config.page.sessionIdleMinutes + 1) * 60_000
  const later = await app.inject({ method: 'GET', url: '/my/', headers: { cookie, 'accept-language': 'en' } })
  t.match(later.body, /<h1>Your Polku page<\/h1>/)
})
