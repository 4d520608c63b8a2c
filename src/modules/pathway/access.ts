// How pathway routes answer a refusal, and which consents an allowed access relied on.
import type { PersonScope } from '../../authz/index.js'
import { ForbiddenError, NotFoundError } from '../../errors.js'

/**
 * Why a request is refused. `not_found`: the caller may not see the young person (no read consent
 * for them, or a partner token without a personal-data scope), or the record is not visible to them;
 * indistinguishable from a missing record. `forbidden`: the caller already sees the young person
 * (their own record, or a read consent), but may not write what they try to change: saying so
 * reveals nothing new.
 */
export type Denial = 'not_found' | 'forbidden'

/** 403 only for a caller who may see the young person's record anyway (their own, or under a read consent). */
export function denialFor(scope: PersonScope, youngPersonId: string): Denial {
  return scope.can('read', 'YoungPerson', { id: youngPersonId }) ? 'forbidden' : 'not_found'
}

/** Why a write to `row` is refused, if it is: 404 unless the caller may see the record, 403 when they see it but may not write it. */
export function writeDenial(scope: PersonScope, type: 'Goal' | 'Step', row: { youngPersonId: string }): Denial | undefined {
  if (scope.can('write', type, row)) return undefined
  return scope.can('read', type, row) ? denialFor(scope, row.youngPersonId) : 'not_found'
}

export function refuse(denial: Denial | undefined): never {
  if (denial === 'forbidden') throw new ForbiddenError('Your consent for this young person does not allow this change')
  throw new NotFoundError()
}

/** The caller's consents that give `action` on one of `categories`: what the audit names as relied on. */
export function consentIdsFor(scope: PersonScope, action: 'read' | 'write', categories: readonly (string | null | undefined)[]): string[] {
  const wanted = categories.filter((c): c is string => typeof c === 'string')
  return scope.consents.filter((c) => c.actions.includes(action) && wanted.some((w) => c.categories.includes(w))).map((c) => c.id)
}

/** The category an access to a goal or step touches: its own, or `pathway` when it has none. */
export const categoryOf = (category: string | null) => category ?? 'pathway'
