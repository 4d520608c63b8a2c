// Whether a referral's receivers already hold consent is the grantee rule every read uses, not a second copy of it.
import t from 'tap'
import { grantConsent } from '../factories.js'
import { build } from '../helper.js'
import { refer, referralWorld, youngPersonOf } from './fixtures.js'

t.test('a referral to the nurses is pending exactly when a nurse of the agency could read what it is about', async (t) => {
  const app = await build(t, { config: { rateLimitPerMinute: 1_000_000 } })
  const w = await referralWorld(app)
  const grantees: [string, object][] = [
    ['the nurse herself', { professionalId: w.nurse.id }],
    ['the psychologist of the same agency', { professionalId: w.psychologist.id }],
    ['the health agency, every role', { agencyId: w.health.id }],
    ['the health agency, nurses', { agencyId: w.health.id, role: 'nurse' }],
    ['the health agency, psychologists', { agencyId: w.health.id, role: 'psychologist' }],
    ['another agency', { agencyId: w.employment.id }],
  ]
  const seen: Record<string, { referral: string; nurseReads: number }> = {}
  for (const [name, grantee] of grantees) {
    const yp = await youngPersonOf(app, w.counsellor)
    await grantConsent(app, yp, { grantee, categories: ['pathway'] })
    const nurseReads = (await app.inject({ url: `/v1/young-persons/${yp.id}/pathway`, headers: w.nurse.headers })).statusCode
    const referral = (await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, toRole: 'nurse', categories: ['pathway'] })).json()
    seen[name] = { referral: referral.status, nurseReads }
  }
  t.same(seen, {
    'the nurse herself': { referral: 'pending', nurseReads: 200 },
    'the psychologist of the same agency': { referral: 'awaiting_consent', nurseReads: 404 },
    'the health agency, every role': { referral: 'pending', nurseReads: 200 },
    'the health agency, nurses': { referral: 'pending', nurseReads: 200 },
    'the health agency, psychologists': { referral: 'awaiting_consent', nurseReads: 404 },
    'another agency': { referral: 'awaiting_consent', nurseReads: 404 },
  })
})
