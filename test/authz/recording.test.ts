// The matrix of recording a consent and recording a withdrawal: every caller row × consent state × grantee.
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { grantConsent } from '../factories.js'
import { build } from '../helper.js'
import { type Grantee, youngPersonIn } from './cells.js'
import { type CallerRow, type ConsentState, type Profile, ROWS } from './matrix.data.js'
import { buildWorld, type Caller, type World } from './world.js'

/** Whom the recorded consent (or the withdrawn one) is for, seen from the caller. */
const VARIANTS = ['self', 'ownAgency', 'ownRole', 'anotherProfessional', 'anotherAgency'] as const
type Variant = (typeof VARIANTS)[number]
/** The grantees that would widen the caller's own access. */
const COVERS_CALLER = new Set<Variant>(['self', 'ownAgency', 'ownRole'])

type Outcome = number | 'whole' | 'ids-only'

/** One state of each access profile a row reaches (expired and superseded read like `revoked`, as the full matrix shows). */
const STATES: ConsentState[] = ['none', 'active', 'revoked', 'otherCategory', 'readOnly']

/**
 * The grantee of each variant. A professional's own agency and role are theirs; callers that are not
 * professionals are given the grantees of a professional of agency A (a partner's own agency), so every
 * row records the same five kinds of consent.
 */
function granteeOf(world: World, caller: Caller, variant: Variant): Grantee {
  const me = 'agencyId' in caller && 'role' in caller ? (caller as Caller & { agencyId: string; role: string }) : world.direct
  switch (variant) {
    case 'self':
      return { professionalId: me.id }
    case 'ownAgency':
      return { agencyId: me.agencyId }
    case 'ownRole':
      return { agencyId: me.agencyId, role: me.role }
    case 'anotherProfessional':
      return { professionalId: world.intaker.id }
    case 'anotherAgency':
      return { agencyId: world.intaker.agencyId }
  }
}

const isHolder = (profile: Profile) => profile.startsWith('holder')

function expectRecord(row: CallerRow, profile: Profile, variant: Variant): Outcome {
  if (row.kind === 'youngPerson') return profile === 'none' ? 404 : 201
  if (row.kind !== 'professional' || !isHolder(profile)) return 404
  return COVERS_CALLER.has(variant) ? 403 : 201
}

function expectWithdrawal(row: CallerRow, profile: Profile, variant: Variant): Outcome {
  if (row.kind === 'youngPerson') return profile === 'none' ? 404 : 'whole'
  if (row.kind !== 'professional') return 404
  // A withdrawn consent that covers the caller made them a holder; they read it whole while they still hold another.
  if (COVERS_CALLER.has(variant)) return isHolder(profile) ? 'whole' : 'ids-only'
  return isHolder(profile) ? 'ids-only' : 404
}

function observeWithdrawal(res: LightMyRequestResponse): Outcome {
  if (res.statusCode !== 200) return res.statusCode
  const keys = Object.keys(res.json()).sort().join(',')
  return keys === 'id,revokedAt,status' ? 'ids-only' : 'purpose' in res.json() ? 'whole' : `200 with ${keys}` as never
}

t.test('recording a consent and a withdrawal: caller × consent state × grantee', async (t) => {
  const app = await build(t, { config: { rateLimitPerMinute: 1_000_000 } })
  const world = await buildWorld(app)

  for (const [rowName, row] of Object.entries(ROWS)) {
    await t.test(rowName, async (t) => {
      for (const state of STATES) {
        const profile = row.profiles[state]
        const { yp } = await youngPersonIn(app, world, row.grantee(world), state)
        const caller = row.caller(world, yp.actor)
        const observed: Record<string, Outcome> = {}
        const expected: Record<string, Outcome> = {}
        for (const variant of VARIANTS) {
          const res = await app.inject({
            method: 'POST',
            url: `/v1/young-persons/${yp.id}/consents`,
            headers: caller.headers,
            payload: { grantee: granteeOf(world, caller, variant), categories: ['housing'], actions: ['read'], purpose: 'Housing support', evidence: 'FORM-REC-1' },
          })
          observed[`record for ${variant}`] = res.statusCode
          expected[`record for ${variant}`] = expectRecord(row, profile, variant)
        }
        // Withdrawals come last: the young person's own consent to each grantee can widen the caller's access.
        for (const variant of VARIANTS) {
          const target = await grantConsent(app, yp, { grantee: granteeOf(world, caller, variant), categories: ['social'], actions: ['read'] })
          const res = await app.inject({ method: 'POST', url: `/v1/consents/${target.id}/revoke`, headers: caller.headers, payload: {} })
          observed[`withdraw for ${variant}`] = observeWithdrawal(res)
          expected[`withdraw for ${variant}`] = expectWithdrawal(row, profile, variant)
        }
        t.same(observed, expected, `${state} → ${profile}`)
      }
    })
  }
})
