// The authorization module's surface: build abilities, check them, turn them into SQL.
import type { Principal } from '../auth/principal.js'
import { ForbiddenError } from '../errors.js'
import { type Action, type AppAbility, defineAbilityFor } from './abilities.js'
import type { SubjectName } from './subjects.js'

export { type Action, type AppAbility, BASE_FIELDS, defineAbilityFor, IDENTITY_FIELDS, refusalReason } from './abilities.js'
export { readableIdentityColumn } from './fields.js'
export { type GranteeColumns, type GranteeInput, granteeColumns } from './grantee.js'
export type { HeldConsent } from './consent-condition.js'
export { type Access, type Allowed, type Conflict, type Denial, type DoorScope, denialFor, enterDoor, enterRecord, type RecordAccess, type Refusal, refuse, withList, withRecord, withYoungPerson } from './door.js'
export { type CaseloadEntry, readCaseload } from './caseload-read.js'
export { readYoungPerson, type YoungPersonView } from './record-read.js'
export { receiverHasConsent } from './receiver.js'
export { erasable, onLegalHold } from './retention.js'
export { mayStillRead, type PersonScope, scopeForYoungPerson, subjectOf } from './scope.js'
export { accessibleWhere, activeConsent, heldBy, heldCategories, holdsConsentFor, loadHeldConsents } from './sql.js'
export type { PersonalSubject, RegistrySubject, SubjectName } from './subjects.js'

/** An ability for registry and anonymous operations: no consents are needed for those. */
export function abilityFor(principal: Principal): AppAbility {
  return defineAbilityFor(principal)
}

/** Operations on a type as a whole (registry, intake, statistics): a caller without the permission gets 403. */
export function ensureCan(principal: Principal, action: Action, subject: SubjectName): void {
  if (!abilityFor(principal).can(action, subject)) {
    throw new ForbiddenError('Your account may not use this operation')
  }
}
