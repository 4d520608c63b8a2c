// The authorization module's surface: build abilities, check them, turn them into SQL.
import { subject as asSubject } from '@casl/ability'
import type { Principal } from '../auth/principal.js'
import type { Queryable } from '../db/client.js'
import { ForbiddenError, NotFoundError } from '../errors.js'
import { type Action, type AppAbility, defineAbilityFor } from './abilities.js'
import type { HeldConsent } from './consent-condition.js'
import { loadHeldConsents } from './sql.js'
import type { PersonalSubject, RegistrySubject } from './subjects.js'

export { type Action, type AppAbility, BASE_FIELDS, defineAbilityFor, IDENTITY_FIELDS } from './abilities.js'
export type { HeldConsent } from './consent-condition.js'
export { accessibleWhere, activeConsent, consentedCategories, heldBy, loadHeldConsents } from './sql.js'
export type { PersonalSubject, RegistrySubject, SubjectName } from './subjects.js'

/** An ability for registry and anonymous operations: no consents are needed for those. */
export function abilityFor(principal: Principal): AppAbility {
  return defineAbilityFor(principal)
}

/** Registry operations are not secret: a caller without the permission gets 403. */
export function ensureCan(principal: Principal, action: Action, subject: RegistrySubject): void {
  if (!abilityFor(principal).can(action, subject)) {
    throw new ForbiddenError('Your account may not use this operation')
  }
}

/** A young person's records: the ability holds the caller's active consents for them, locked FOR SHARE. */
export interface PersonScope {
  ability: AppAbility
  consents: HeldConsent[]
  /** True when this row is allowed; rows need their subject type. */
  can(action: Action, type: PersonalSubject, row: Record<string, unknown>): boolean
  /** Throws the same 404 as a missing record when the row is not allowed. */
  ensure(action: Action, type: PersonalSubject, row: Record<string, unknown>): void
}

export async function scopeForYoungPerson(q: Queryable, principal: Principal, youngPersonId: string): Promise<PersonScope> {
  const consents = await loadHeldConsents(q, principal, youngPersonId)
  const ability = defineAbilityFor(principal, consents)
  const can = (action: Action, type: PersonalSubject, row: Record<string, unknown>) =>
    ability.can(action, asSubject(type, { ...row }) as never)
  return {
    ability,
    consents,
    can,
    ensure(action, type, row) {
      if (!can(action, type, row)) throw new NotFoundError()
    },
  }
}
