// How an erasure request is shown: to the young person (their list, the export) and to the auditor.
import type { Static } from 'typebox'
import type { ErasureRequestRow } from './erasure.service.js'
import type * as s from './retention.schemas.js'

export function presentErasureRequest(row: ErasureRequestRow): Static<typeof s.ErasureRequest> {
  return {
    id: row.id,
    youngPersonId: row.youngPersonId,
    categories: row.categories as Static<typeof s.ErasureRequest>['categories'],
    status: row.status,
    requestedAt: row.requestedAt,
    decidedAt: row.decidedAt,
    grantedCategories: row.grantedCategories as Static<typeof s.ErasureRequest>['grantedCategories'],
    ground: row.ground,
    reason: row.reason,
  }
}

