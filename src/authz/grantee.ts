// The grantee of a consent (one professional, or an agency with an optional role), and who it covers.
import type { Principal } from '../auth/principal.js'

/** Who receives access, as a caller names it: one professional, or an agency (optionally one role within it). */
export interface GranteeInput {
  professionalId?: string
  agencyId?: string
  role?: string
}

/** A grantee as stored on a consent or consent request row. */
export interface GranteeColumns {
  granteeProfessionalId: string | null
  granteeAgencyId: string | null
  granteeRole: string | null
}

/** The stored form: a consent to one professional never carries a role. */
export function granteeColumns(grantee: GranteeInput): GranteeColumns {
  return {
    granteeProfessionalId: grantee.professionalId ?? null,
    granteeAgencyId: grantee.professionalId ? null : (grantee.agencyId ?? null),
    granteeRole: grantee.professionalId ? null : (grantee.role ?? null),
  }
}

/**
 * The grantees whose consents cover this caller, as CASL conditions on a consent row: the professional
 * themselves, their agency as a whole, or their role in their agency; a partner system acts for its
 * agency as a whole. Nobody else is covered. The SQL form is `heldBy` in sql.ts.
 */
export function granteesCovering(principal: Principal): Record<string, unknown>[] {
  switch (principal.kind) {
    case 'professional':
      return [
        { granteeProfessionalId: principal.professionalId },
        { granteeAgencyId: principal.agencyId, granteeRole: null },
        { granteeAgencyId: principal.agencyId, granteeRole: principal.role },
      ]
    case 'partner':
      return [{ granteeAgencyId: principal.agencyId, granteeRole: null }]
    default:
      return []
  }
}
