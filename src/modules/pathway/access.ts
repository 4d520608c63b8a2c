// Which pathway rows a write may touch, and which consents an allowed access relied on.
import { type Denial, denialFor, type PersonScope } from '../../authz/index.js'

export { type Denial, denialFor, refuse } from '../../authz/index.js'

/** Why a write to `row` is refused, if it is: 404 unless the caller may see the record, 403 when they see it but may not write it. */
export function writeDenial(scope: PersonScope, type: 'Goal' | 'Step', row: { youngPersonId: string }): Denial | undefined {
  if (scope.can('write', type, row)) return undefined
  return scope.can('read', type, row) ? denialFor(scope, row.youngPersonId) : 'not_found'
}

/** The caller's consents that give `action` on one of `categories`: what the audit names as relied on. */
export function consentIdsFor(scope: PersonScope, action: 'read' | 'write', categories: readonly (string | null | undefined)[]): string[] {
  const wanted = categories.filter((c): c is string => typeof c === 'string')
  return scope.consents.filter((c) => c.actions.includes(action) && wanted.some((w) => c.categories.includes(w))).map((c) => c.id)
}

/** The category an access to a goal or step touches: its own, or `pathway` when it has none. */
export const categoryOf = (category: string | null) => category ?? 'pathway'
