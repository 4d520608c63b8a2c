// The caller's rules and active consents for one young person, loaded inside the request's transaction.
import { subject as asSubject } from '@casl/ability'
import type { Principal } from '../auth/principal.js'
import type { Queryable } from '../db/client.js'
import { NotFoundError } from '../errors.js'
import { type Action, type AppAbility, defineAbilityFor } from './abilities.js'
import type { HeldConsent } from './consent-condition.js'
import { loadHeldConsents } from './sql.js'
import { PERSONAL_SUBJECTS, type PersonalSubject } from './subjects.js'

/** A plain row marked with its subject type, as CASL needs it for conditions. */
export function subjectOf(type: PersonalSubject, row: object): never {
  return asSubject(type, { ...row }) as never
}

/** A young person's records: the ability holds the caller's active consents for them (read without locks). */
export interface PersonScope {
  ability: AppAbility
  consents: HeldConsent[]
  /** True when this row is allowed; rows need their subject type. */
  can(action: Action, type: PersonalSubject, row: object): boolean
  /** Throws the same 404 as a missing record when the row is not allowed. */
  ensure(action: Action, type: PersonalSubject, row: object): void
  /** The same caller once this consent no longer counts: withdrawn in this transaction, after the scope was loaded. */
  without(consentId: string): PersonScope
}

export async function scopeForYoungPerson(q: Queryable, principal: Principal, youngPersonId: string): Promise<PersonScope> {
  return scopeWith(principal, await loadHeldConsents(q, principal, youngPersonId))
}

/** The scope of consents a statement already read in its own snapshot (the withdrawal's). */
export function scopeWith(principal: Principal, consents: HeldConsent[]): PersonScope {
  const ability = defineAbilityFor(principal, consents)
  const can = (action: Action, type: PersonalSubject, row: object) => ability.can(action, subjectOf(type, row))
  return {
    ability,
    consents,
    can,
    ensure(action, type, row) {
      if (!can(action, type, row)) throw new NotFoundError()
    },
    without: (consentId) => scopeWith(principal, consents.filter((c) => c.id !== consentId)),
  }
}

/**
 * Whether the caller may read this stored row now, under the consents they hold in this transaction:
 * for answers given again later (an idempotent replay). No row means no.
 */
export async function mayStillRead(q: Queryable, principal: Principal, type: PersonalSubject, row: object | undefined): Promise<boolean> {
  if (row === undefined) return false
  const youngPersonId = (row as Record<string, unknown>)[PERSONAL_SUBJECTS[type].youngPersonField]
  if (typeof youngPersonId !== 'string') return false
  return (await scopeForYoungPerson(q, principal, youngPersonId)).can('read', type, row)
}
