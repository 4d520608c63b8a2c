// Matrix operations on the young person's own view (/v1/me/…, the page's new-consent form) and on the audit events about them.
import type { FastifyInstance } from 'fastify'
import { createYoungPerson } from '../factories.js'
import { cookieOf, csrfOf, pair, postForm, sessionSignedInAs } from '../my-page/page-session.js'
import { everywhere, listedIn, type Operation, type Outcome, when200, youngPersonsOnly } from './matrix.model.js'
import type { Caller } from './world.js'

/** A 200 answer about the cell's young person, or about the caller's own (another young person's) record. */
const whose = (id: string, c: { youngPersonId: string }): Outcome => (id === c.youngPersonId ? 'theirs' : 'another')
const DAY_MS = 24 * 3600 * 1000
/** A day a month ahead, as the page's date field sends it (Finnish time). */
const monthAhead = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' }).format(new Date(Date.now() + 30 * DAY_MS))

/** The page's new-consent form as a browser sends it: the form first (its CSRF token), then the post. */
async function grantOnPage(app: FastifyInstance, caller: Caller, grantee: string) {
  const form = await app.inject({ method: 'GET', url: '/my/grant', headers: { cookie: await sessionSignedInAs(app, caller.subject), 'accept-language': 'en' } })
  return postForm(app, '/my/grant', pair(cookieOf(form)), [
    ['_csrf', csrfOf(form.body)],
    ['grantee', grantee],
    ['categories', 'housing'],
    ['actions', 'read'],
    ['validUntil', monthAhead()],
    ['purpose', 'Help with finding a flat'],
  ])
}

const own = (path: string, observe: Operation['observe'], expect: Record<'self' | 'selfEnded' | 'none', Outcome>): Operation => ({
  method: 'GET',
  url: () => `/v1/me${path}`,
  observe,
  byKind: youngPersonsOnly,
  // Only young persons reach `expect`: `none` is then another young person, reading their own record.
  expect: everywhere<Outcome>(expect.none, { self: expect.self, selfEnded: expect.selfEnded }),
})

export const OWN_OPERATIONS: Record<string, Operation> = {
  'GET /v1/me': own('', when200((body, c) => whose(body.id, c)), { self: 'theirs', selfEnded: 'theirs', none: 'another' }),
  'GET /v1/me/pathway': own('/pathway', when200((body, c) => whose(body.youngPersonId, c)), { self: 'theirs', selfEnded: 'theirs', none: 'another' }),
  'GET /v1/me/timeline shows the goal': own('/timeline?limit=100', when200((body, c) => listedIn(body.items, c.goalId)), {
    self: 'listed',
    selfEnded: 'listed',
    none: 'absent',
  }),
  'GET /v1/me/team lists the consent': own(
    '/team?limit=100',
    when200((body, c) => (body.items.some((m: { consentId: string }) => m.consentId === c.consentId) ? 'listed' : 'absent')),
    { self: 'listed', selfEnded: 'absent', none: 'absent' },
  ),
  'GET /v1/me/consents lists the consent': own('/consents?limit=100', when200((body, c) => listedIn(body.items, c.consentId)), {
    self: 'listed',
    selfEnded: 'listed',
    none: 'absent',
  }),
  'GET /v1/me/consent-requests': own(
    '/consent-requests?limit=100',
    when200((body, c) => (body.items.some((r: { youngPersonId: string }) => r.youngPersonId === c.youngPersonId) ? 'listed' : 'absent')),
    { self: 'listed', selfEnded: 'listed', none: 'absent' },
  ),
  'GET /v1/me/access-log': own('/access-log?limit=100', undefined, { self: 200, selfEnded: 200, none: 200 }),
  'GET /v1/me/export': own('/export', when200((body, c) => whose(body.person.id, c)), { self: 'theirs', selfEnded: 'theirs', none: 'another' }),
  'POST /v1/me/link': {
    method: 'POST',
    url: () => '/v1/me/link',
    body: (c) => ({ code: c.linkCode }),
    // A code from an intake without a sign-in, just before: valid and unused.
    prepare: async (app, c) => ({ linkCode: (await createYoungPerson(app, c.world.intaker)).linkCode }),
    // Every caller here already signs in as someone (an account, or a partner system's client): linking is for a
    // sign-in that is no one's yet, so the code is refused whoever holds a consent.
    expect: everywhere<Outcome>(409),
  },
  'POST /my/grant (the page’s new-consent form)': {
    method: 'POST',
    url: () => '/my/grant',
    // Signed in on the page as the caller's own identity; the form names the intake worker, on every young person's team.
    perform: (app, c, caller) => grantOnPage(app, caller, `professional:${c.world.intaker.id}`),
    observe: (res) => (res.statusCode === 303 && res.headers.location === '/my/?done=granted' ? 'granted' : res.statusCode),
    // The page acts for a linked young person alone, on their own record (the form names no one else's);
    // any other sign-in has no record there.
    byKind: { professional: 404, partner: 404, admin: 404, auditor: 404 },
    expect: everywhere<Outcome>('granted'),
  },
  'GET /v1/audit/events about the young person': {
    method: 'GET',
    url: (c) => `/v1/audit/events?youngPersonId=${c.youngPersonId}&limit=100`,
    observe: when200((body, c) =>
      body.items.length > 0 && body.items.every((e: { youngPersonId: string }) => e.youngPersonId === c.youngPersonId) ? 'listed' : 'absent',
    ),
    // Audit metadata is for the auditor alone, whatever consent anyone holds.
    byKind: { auditor: 'listed' },
    expect: everywhere<Outcome>(403),
  },
}
