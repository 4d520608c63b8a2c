// What CASL can talk about: each subject type, its table, and the columns rules may name.
import type { AnyColumn } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import { auditEvents } from '../db/schema/audit.js'
import { goals, notes, pathways, referrals, steps } from '../db/schema/pathway.js'
import { consentRequests, consents, youngPersons } from '../db/schema/young-persons.js'

export interface SubjectTable {
  table: PgTable
  /** The column holding the young person a row belongs to: the key of every `$consent` term. */
  youngPersonField: string
  /** The only columns a rule condition may name. */
  columns: Record<string, AnyColumn>
}

/** Subjects about a young person; every rule on them is conditioned by consent or ownership. */
export const PERSONAL_SUBJECTS = {
  YoungPerson: {
    table: youngPersons,
    youngPersonField: 'id',
    columns: { id: youngPersons.id },
  },
  Consent: {
    table: consents,
    youngPersonField: 'youngPersonId',
    columns: {
      id: consents.id,
      youngPersonId: consents.youngPersonId,
      granteeProfessionalId: consents.granteeProfessionalId,
      granteeAgencyId: consents.granteeAgencyId,
      granteeRole: consents.granteeRole,
    },
  },
  ConsentRequest: {
    table: consentRequests,
    youngPersonField: 'youngPersonId',
    columns: {
      id: consentRequests.id,
      youngPersonId: consentRequests.youngPersonId,
      requestedByProfessionalId: consentRequests.requestedByProfessionalId,
    },
  },
  Pathway: {
    table: pathways,
    youngPersonField: 'youngPersonId',
    columns: { id: pathways.id, youngPersonId: pathways.youngPersonId },
  },
  Goal: {
    table: goals,
    youngPersonField: 'youngPersonId',
    columns: { id: goals.id, youngPersonId: goals.youngPersonId, category: goals.category },
  },
  Step: {
    table: steps,
    youngPersonField: 'youngPersonId',
    columns: { id: steps.id, youngPersonId: steps.youngPersonId, goalCategory: steps.goalCategory, ownerProfessionalId: steps.ownerProfessionalId },
  },
  Note: {
    table: notes,
    youngPersonField: 'youngPersonId',
    columns: {
      id: notes.id,
      youngPersonId: notes.youngPersonId,
      category: notes.category,
      authorProfessionalId: notes.authorProfessionalId,
    },
  },
  Referral: {
    table: referrals,
    youngPersonField: 'youngPersonId',
    columns: {
      id: referrals.id,
      youngPersonId: referrals.youngPersonId,
      fromProfessionalId: referrals.fromProfessionalId,
      toAgencyId: referrals.toAgencyId,
      toRole: referrals.toRole,
      storedStatus: referrals.status,
    },
  },
  AuditEvent: {
    table: auditEvents,
    youngPersonField: 'youngPersonId',
    columns: { id: auditEvents.id, youngPersonId: auditEvents.youngPersonId, actorAccountId: auditEvents.actorAccountId },
  },
} satisfies Record<string, SubjectTable>

export type PersonalSubject = keyof typeof PERSONAL_SUBJECTS

/** Registry and anonymous subjects: no personal data, no row conditions. */
export type RegistrySubject =
  | 'Agency'
  | 'Professional'
  | 'PartnerClient'
  | 'Centre'
  | 'Visit'
  | 'Stats'
  | 'Webhook'
  | 'AuditLog'
  | 'ErasureRequest'
  | 'LegalHold'
  | 'ReviewItem'
  | 'Caseload'

export type SubjectName = PersonalSubject | RegistrySubject
