// The authorization module's surface: build abilities, check them, turn them into SQL.
import type { Principal } from '../auth/principal.js'
import { type AppAbility, defineAbilityFor } from './abilities.js'

export { type Action, type AppAbility, BASE_FIELDS, defineAbilityFor, IDENTITY_FIELDS, refusalReason } from './abilities.js'
export { readableIdentityColumn } from './fields.js'
export { type GranteeColumns, type GranteeInput, granteeColumns } from './grantee.js'
export type { HeldConsent } from './consent-condition.js'
export { type Access, type Allowed, type Conflict, type Denial, type Doorway, type DoorScope, denialFor, doorway, ensureCan, enterDoor, enterRecord, enterRole, type ReadAhead, type ReadAnswer, type RecordAccess, type RecordAhead, type Refusal, refuse, type RoleWork, throughDoor, withList, withRecord, withRole, withRecordRead, withYoungPerson, withYoungPersonRead } from './door.js'
export { type CaseloadEntry, readCaseload } from './caseload-read.js'
export { actingProfessional, ownYoungPerson, ownYoungPersonId, type ProfessionalPrincipal, type YoungPersonPrincipal } from './own.js'
export { type LinkRefusal, linkWithCode } from './link.js'
export { readYoungPerson, type YoungPersonView } from './record-read.js'
export { type Withdrawal, withdrawConsent } from './withdrawal.js'
export { receiverHasConsent } from './receiver.js'
export { mayReopen } from './reopen.js'
export { erasable, onLegalHold } from './retention.js'
export { mayStillRead, type PersonScope, scopeForYoungPerson, subjectOf } from './scope.js'
export { accessibleWhere, activeConsent, heldBy, heldCategories, holdsConsentFor, loadHeldConsents } from './sql.js'
export type { PersonalSubject, RegistrySubject, SubjectName } from './subjects.js'

/** An ability for registry and anonymous operations: no consents are needed for those. */
export function abilityFor(principal: Principal): AppAbility {
  return defineAbilityFor(principal)
}
