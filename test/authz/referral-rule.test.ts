// Who may make a referral is one rule in abilities.ts: professionals yes, partner systems never, whatever their scopes.
import t from 'tap'
import type { Principal } from '../../src/auth/principal.js'
import { defineAbilityFor } from '../../src/authz/abilities.js'

const agencyId = '00000000-0000-4000-8000-0000000000a1'
const pro: Principal = {
  kind: 'professional',
  accountId: '00000000-0000-4000-8000-000000000001',
  professionalId: '00000000-0000-4000-8000-000000000002',
  agencyId,
  role: 'youth_counsellor',
  displayName: 'Pro',
}
const partner: Principal = {
  kind: 'partner',
  partnerClientId: '00000000-0000-4000-8000-000000000003',
  clientId: 'partner-client',
  agencyId,
  scopes: ['pathway:read', 'pathway:write', 'referrals:read', 'referrals:write', 'visits:write', 'stats:read'],
}

t.test('professionals may make referrals (their consent decides for whom)', async (t) => {
  t.ok(defineAbilityFor(pro).can('create', 'Referral'))
})

t.test('a partner system with every scope receives referrals but never makes one', async (t) => {
  const ability = defineAbilityFor(partner)
  t.notOk(ability.can('create', 'Referral'), 'no create rule at all, so the route refuses before any look-up')
  t.ok(ability.can('receive', 'Referral'), 'referrals:write is for the receiving side')
})
