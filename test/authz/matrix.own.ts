// Matrix operations on the young person's own view (/v1/me/…) and on the audit events about them.
import { everywhere, listedIn, type Operation, type Outcome, when200, youngPersonsOnly } from './matrix.model.js'

/** A 200 answer about the cell's young person, or about the caller's own (another young person's) record. */
const whose = (id: string, c: { youngPersonId: string }): Outcome => (id === c.youngPersonId ? 'theirs' : 'another')
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
