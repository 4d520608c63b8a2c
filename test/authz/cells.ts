// A fresh young person whose consent to a row's grantee is in a given state: the start of every matrix cell.
import type { FastifyInstance } from 'fastify'
import type { Actor, YoungPersonFixture } from '../factories.js'
import { grantConsent } from '../factories.js'
import { type ConsentState, STATE_TERMS } from './matrix.data.js'
import { expireConsent, intake, type World } from './world.js'

export type Grantee = { professionalId: string } | { agencyId: string; role?: string }

/** Intake by the intake worker, then the young person's own consent to `grantee`, brought into `state`. */
export async function youngPersonIn(
  app: FastifyInstance,
  world: World,
  grantee: Grantee,
  state: ConsentState,
): Promise<{ yp: YoungPersonFixture & { actor: Actor }; consentId: string }> {
  const yp = await intake(app, world)
  let consentId = yp.consentId
  if (state === 'otherYoungPerson') {
    const elsewhere = await intake(app, world)
    await grantConsent(app, elsewhere, { grantee, ...STATE_TERMS.active })
  } else if (state !== 'none') {
    consentId = (await grantConsent(app, yp, { grantee, ...STATE_TERMS[state] })).id
    if (state === 'expired') {
      await expireConsent(app, consentId)
    } else if (state === 'revoked') {
      const res = await app.inject({ method: 'POST', url: `/v1/consents/${consentId}/revoke`, headers: yp.actor.headers, payload: {} })
      if (res.statusCode !== 200) throw new Error(`revoke: ${res.statusCode} ${res.body}`)
    } else if (state === 'superseded') {
      // The young person moves the consent to someone else: the row's grantee is left with none.
      const res = await app.inject({
        method: 'POST',
        url: `/v1/young-persons/${yp.id}/consents`,
        headers: yp.actor.headers,
        payload: { grantee: { professionalId: world.intaker.id }, ...STATE_TERMS.active, purpose: 'Moved to the intake worker', supersedes: consentId },
      })
      if (res.statusCode !== 201) throw new Error(`supersede: ${res.statusCode} ${res.body}`)
    }
  }
  return { yp, consentId }
}
