// The vocabulary of the authorization matrix: consent states, access profiles, caller kinds, outcomes and operations.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Caller, World } from './world.js'

/** The state of the consent a row is about, for a fresh young person of every cell. */
export type ConsentState = 'none' | 'active' | 'expired' | 'revoked' | 'superseded' | 'otherYoungPerson' | 'otherCategory' | 'readOnly'

/**
 * What a (caller, consent state) pair amounts to. Operations state their outcome per profile, so a new
 * operation is one entry in OPERATIONS and TypeScript insists on an outcome for every profile.
 */
export type Profile =
  | 'none' // no active consent covers the caller for this young person (or the caller can never hold one)
  | 'holder' // professional holding an active read+write consent for identity and pathway
  | 'holderReadOnly' // the same, read only
  | 'holderOtherCategory' // active read+write consent for `employment` only
  | 'partner' // partner system with pathway:read; its agency holds an active read+write identity+pathway consent
  | 'partnerReadOnly'
  | 'partnerOtherCategory'
  | 'partnerWriter' // partner system with pathway and referrals read+write scopes; its agency holds the same consent as `partner`
  | 'partnerWriterReadOnly'
  | 'partnerWriterOtherCategory'
  | 'self' // the young person; the consent in question is active
  | 'selfEnded' // the young person; the consent in question has ended (expired, revoked, superseded)

export const PROFILES: readonly Profile[] = [
  'none',
  'holder',
  'holderReadOnly',
  'holderOtherCategory',
  'partner',
  'partnerReadOnly',
  'partnerOtherCategory',
  'partnerWriter',
  'partnerWriterReadOnly',
  'partnerWriterOtherCategory',
  'self',
  'selfEnded',
]

/** Who the caller is, whatever consent they hold: some routes are open or closed to a whole kind. */
export type CallerKind = 'professional' | 'partner' | 'youngPerson' | 'admin' | 'auditor'

/**
 * What a walk of one operation observes: the status, or something finer a status cannot show.
 * `listed`/`absent`: the cell's record is / is not in a 200 answer; `theirs`/`another`: a 200 or 201 answer is
 * about the cell's young person / about someone else (the caller's own record); `granted`: the page answered
 * with its "consent granted" notice.
 */
export type Outcome = number | 'listed' | 'absent' | 'identity' | 'no-identity' | 'theirs' | 'another' | 'granted'

export interface Ctx {
  world: World
  /** The young person of this cell. */
  youngPersonId: string
  /** A consent of this young person: the state's consent, or the intake consent when the state has none for them. */
  consentId: string
  /** A goal (no category of its own), with one step, set by the intake worker. */
  goalId: string
  stepId: string
  /** A pathway note by the intake worker. */
  noteId: string
  /** A referral by the intake worker to an agency no row belongs to (agency B). */
  referralId: string
  /** A referral by the intake worker to the agency of the professional rows (agency A). */
  receivedReferralId: string
  /** The cell's young person, signed in with their own account. */
  self: Caller
  /** Records that exist once only, made by an operation's `prepare` just before it runs. */
  erasureRequestId?: string
  legalHoldId?: string
  auditEventId?: string
  reviewItemId?: string
  linkCode?: string
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: (ctx: Ctx) => string
  body?: (ctx: Ctx) => object
  headers?: (ctx: Ctx) => Record<string, string>
  /** Defaults to the status code. */
  observe?: (res: LightMyRequestResponse, ctx: Ctx) => Outcome
  /** Changes what the caller may do afterwards (revoke): run after the others, on a cell of its own when more than one. */
  changesAccess?: boolean
  /**
   * Makes what the operation acts on that can be used once only (a waiting erasure request, an open question, a
   * hold, a link code), just before it runs, as whoever makes it in the product (the young person, the data
   * protection officer, the intake worker) whatever the row; added to the context.
   */
  prepare?: (app: FastifyInstance, ctx: Ctx) => Promise<Partial<Ctx>>
  /** Takes the place of the one request for operations that need more (the page: its form's CSRF token first); the last answer is observed. */
  perform?: (app: FastifyInstance, ctx: Ctx, caller: Caller) => Promise<LightMyRequestResponse>
  expect: Record<Profile, Outcome>
  /** The outcome for every caller of a kind, whatever their consent: the route is closed (or open) to the kind before any consent is read. */
  byKind?: Partial<Record<CallerKind, Outcome>>
}

export interface CallerRow {
  kind: CallerKind
  /** Who calls; `self` is the cell's own young person. */
  caller: (world: World, self: Caller) => Caller
  /** To whom the row's consent is granted. */
  grantee: (world: World) => { professionalId: string } | { agencyId: string; role?: string }
  profiles: Record<ConsentState, Profile>
}

export const listedIn = (items: { id: string }[], id: string): Outcome => (items.some((i) => i.id === id) ? 'listed' : 'absent')

/** A 200 answer observed by `pick`; any other status as itself. */
export const when200 =
  (pick: (body: any, ctx: Ctx) => Outcome) =>
  (res: LightMyRequestResponse, ctx: Ctx): Outcome =>
    res.statusCode === 200 ? pick(res.json(), ctx) : res.statusCode

export const NONE = 404
export const everywhere = <T>(value: T, overrides: Partial<Record<Profile, T>> = {}): Record<Profile, T> => ({
  none: value,
  holder: value,
  holderReadOnly: value,
  holderOtherCategory: value,
  partner: value,
  partnerReadOnly: value,
  partnerOtherCategory: value,
  partnerWriter: value,
  partnerWriterReadOnly: value,
  partnerWriterOtherCategory: value,
  self: value,
  selfEnded: value,
  ...overrides,
})
export const holders = <T>(value: T) => ({ holder: value, holderReadOnly: value, holderOtherCategory: value })
export const partners = <T>(value: T) => ({ partner: value, partnerReadOnly: value, partnerOtherCategory: value })
export const partnerWriters = <T>(value: T) => ({ partnerWriter: value, partnerWriterReadOnly: value, partnerWriterOtherCategory: value })
/** Every partner system, whatever its scopes. */
export const allPartners = <T>(value: T) => ({ ...partners(value), ...partnerWriters(value) })
export const selves = <T>(value: T) => ({ self: value, selfEnded: value })
/** Routes for a young person's own token only. */
export const youngPersonsOnly: Partial<Record<CallerKind, Outcome>> = { professional: 403, partner: 403, admin: 403, auditor: 403 }
