// Matrix operations on a young person's pathway: the pathway itself, goals, steps, team, timeline and referrals.
import { everywhere, listedIn, NONE, type Operation, type Outcome, type Profile, selves, when200 } from './matrix.model.js'

const anyVersion = () => ({ 'if-match': '*' })
const referral = (toAgencyId: string, youngPersonId: string) => ({ youngPersonId, toAgencyId, reason: 'Support with job search', categories: ['pathway'] })
/** Readers of the pathway: everyone who sees the young person, except under a consent without `pathway`. */
const pathwayReaders = (value: Outcome, overrides: Partial<Record<Profile, Outcome>> = {}) =>
  everywhere<Outcome>(value, { none: NONE, holderOtherCategory: NONE, partnerOtherCategory: NONE, partnerWriterOtherCategory: NONE, ...overrides })
/** 403 only where the caller already sees the young person: it reveals nothing new. */
const pathwayWriters = (allowed: number) => everywhere<Outcome>(403, { none: NONE, holder: allowed, partnerWriter: allowed })
/** A write to a goal or step: 404 where the caller may not even read that record. */
const recordWriters = (allowed: number) =>
  everywhere<Outcome>(403, { none: NONE, holder: allowed, partnerWriter: allowed, holderOtherCategory: NONE, partnerOtherCategory: NONE, partnerWriterOtherCategory: NONE })

export const PATHWAY_OPERATIONS: Record<string, Operation> = {
  'GET /v1/young-persons/{id}/pathway shows the goal': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/pathway`,
    observe: when200((body, c) => listedIn(body.goals, c.goalId)),
    expect: pathwayReaders('listed'),
  },
  'PATCH /v1/young-persons/{id}/pathway': {
    method: 'PATCH',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/pathway`,
    headers: anyVersion,
    body: () => ({ summary: 'Looking for a study place' }),
    expect: pathwayWriters(200),
  },
  'PUT /v1/young-persons/{id}/pathway': {
    method: 'PUT',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/pathway`,
    headers: anyVersion,
    body: () => ({ status: 'active', summary: 'Looking for a study place' }),
    expect: pathwayWriters(200),
  },
  'POST /v1/young-persons/{id}/goals': {
    method: 'POST',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/goals`,
    body: () => ({ title: 'Apply to vocational school' }),
    expect: pathwayWriters(201),
  },
  'GET /v1/goals/{id} shows its step': {
    method: 'GET',
    url: (c) => `/v1/goals/${c.goalId}`,
    observe: when200((body, c) => listedIn(body.steps, c.stepId)),
    expect: pathwayReaders('listed'),
  },
  'PATCH /v1/goals/{id}': {
    method: 'PATCH',
    url: (c) => `/v1/goals/${c.goalId}`,
    headers: anyVersion,
    body: () => ({ status: 'in_progress' }),
    expect: recordWriters(200),
  },
  'POST /v1/goals/{id}/steps': {
    method: 'POST',
    url: (c) => `/v1/goals/${c.goalId}/steps`,
    body: () => ({ title: 'Book a visit' }),
    expect: recordWriters(201),
  },
  'GET /v1/steps/{id}': {
    method: 'GET',
    url: (c) => `/v1/steps/${c.stepId}`,
    expect: pathwayReaders(200),
  },
  'PATCH /v1/steps/{id}': {
    method: 'PATCH',
    url: (c) => `/v1/steps/${c.stepId}`,
    headers: anyVersion,
    body: () => ({ status: 'done' }),
    expect: recordWriters(200),
  },
  'GET /v1/young-persons/{id}/team lists the consent': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/team?limit=100`,
    observe: when200((body, c) => (body.items.some((m: { consentId: string }) => m.consentId === c.consentId) ? 'listed' : 'absent')),
    // The team is who holds an active consent now: an ended one is gone from it.
    expect: pathwayReaders('listed', { selfEnded: 'absent' }),
  },
  'GET /v1/young-persons/{id}/timeline shows the goal': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/timeline?limit=100`,
    observe: when200((body, c) => listedIn(body.items, c.goalId)),
    // Anyone who sees the young person gets a timeline, holding only the categories their consent covers.
    expect: everywhere<Outcome>('listed', { none: NONE, holderOtherCategory: 'absent', partnerOtherCategory: 'absent', partnerWriterOtherCategory: 'absent' }),
  },
  'POST /v1/referrals': {
    method: 'POST',
    url: () => '/v1/referrals',
    body: (c) => referral(c.world.agencyB.id, c.youngPersonId),
    // Referring is for professionals (a partner with referrals:write only receives): other kinds are refused before the young person is looked up.
    byKind: { partner: 403, youngPerson: 403, admin: 403, auditor: 403 },
    // Unlike the other writes, a professional who sees the young person but may not write `pathway` gets 404 (the route says so).
    expect: everywhere<Outcome>(NONE, { holder: 201 }),
  },
  'GET /v1/referrals/{id} (to another agency)': {
    method: 'GET',
    url: (c) => `/v1/referrals/${c.referralId}`,
    // Partners need referrals:read besides a `pathway` consent.
    expect: everywhere<Outcome>(NONE, { holder: 200, holderReadOnly: 200, partnerWriter: 200, partnerWriterReadOnly: 200, ...selves(200) }),
  },
  'GET /v1/referrals/{id} (to the caller’s agency)': {
    method: 'GET',
    url: (c) => `/v1/referrals/${c.receivedReferralId}`,
    // The receiving side sees it only under a `pathway` read consent (an `employment`-only consent is not enough).
    expect: everywhere<Outcome>(NONE, { holder: 200, holderReadOnly: 200, partnerWriter: 200, partnerWriterReadOnly: 200, ...selves(200) }),
  },
  'GET /v1/referrals lists the referral (to another agency)': {
    method: 'GET',
    url: () => '/v1/referrals?limit=100',
    observe: when200((body, c) => listedIn(body.items, c.referralId)),
    expect: everywhere<Outcome>('absent', { holder: 'listed', holderReadOnly: 'listed', partnerWriter: 'listed', partnerWriterReadOnly: 'listed', ...selves('listed') }),
  },
  'POST /v1/referrals/{id}/withdraw (not the referrer)': {
    method: 'POST',
    url: (c) => `/v1/referrals/${c.referralId}/withdraw`,
    body: () => ({}),
    expect: everywhere<Outcome>(NONE, { holder: 403, holderReadOnly: 403, partnerWriter: 403, partnerWriterReadOnly: 403, ...selves(403) }),
  },
  'POST /v1/referrals/{id}/accept (to the caller’s agency)': {
    method: 'POST',
    url: (c) => `/v1/referrals/${c.receivedReferralId}/accept`,
    body: () => ({}),
    // Receiving needs a `pathway` read consent on the receiving side; the referral is pending once one covers its categories.
    expect: everywhere<Outcome>(NONE, { holder: 200, holderReadOnly: 200, partnerWriter: 200, partnerWriterReadOnly: 200, ...selves(403) }),
  },
}
