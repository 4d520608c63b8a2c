// Walks every audit chain from its first event, recomputing each hash, and reports the first broken link.

import { asc, eq, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { auditEvents, auditHeads } from '../../db/schema/audit.js'
import { auditChainRemovals } from '../../db/schema/retention.js'
import { checkSavedHeads, type SavedChainHead, type SavedHeadBreak } from './audit.heads.js'
import { auditMetadataColumns } from '../../authz/data/audit.queries.js'
import { type AuditEvent, chainHash, GENESIS_HASH } from './audit.writer.js'

export type BreakReason = 'hash_mismatch' | 'sequence_gap' | 'missing_event' | 'head_mismatch' | SavedHeadBreak

export interface BrokenLink {
  chain: string
  /** Where the chain first goes wrong: the position of the bad or missing event. */
  seq: number
  /** The event at that position, or null when it is missing. */
  eventId: string | null
  reason: BreakReason
  detail: string
}

export interface VerifyResult {
  ok: boolean
  chainsChecked: number
  eventsChecked: number
  /** Saved heads confirmed; null when no saved snapshot was given. */
  savedHeadsChecked: number | null
  firstBroken: BrokenLink | null
  verifiedAt: string
}

export interface VerifyOptions {
  /** Heads saved earlier (GET /v1/audit/head); each must still hold its hash. */
  savedHeads?: readonly SavedChainHead[]
  /** Events read per statement: bounds memory whatever the size of the log. */
  pageSize?: number
}

const eventColumns = {
  ...auditMetadataColumns,
  headSeq: auditHeads.seq,
  headHash: auditHeads.hash,
  /** Where a chain removed by audit retention left off: later events link to this head. */
  anchorSeq: auditChainRemovals.seq,
  anchorHash: auditChainRemovals.hash,
}


/** The stored row in the writer's canonical shape, so the same function computes the hash. */
function asEvent(row: Row): AuditEvent {
  return {
    id: row.id,
    chain: row.chain,
    occurredAt: row.occurredAt.toISOString(),
    actorAccountId: row.actorAccountId,
    actorKind: row.actorKind,
    actorRole: row.actorRole,
    actorAgencyId: row.actorAgencyId,
    actorName: row.actorName,
    action: row.action,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    youngPersonId: row.youngPersonId,
    category: row.category,
    consentIds: row.consentIds,
    outcome: row.outcome,
    requestId: row.requestId,
  }
}

function page(q: Queryable, after: { chain: string; seq: number } | undefined, size: number) {
  return q
    .select(eventColumns)
    .from(auditEvents)
    .leftJoin(auditHeads, eq(auditHeads.chain, auditEvents.chain))
    .leftJoin(auditChainRemovals, eq(auditChainRemovals.chain, auditEvents.chain))
    .where(after ? sql`(${auditEvents.chain}, ${auditEvents.seq}) > (${after.chain}, ${after.seq})` : undefined)
    .orderBy(asc(auditEvents.chain), asc(auditEvents.seq))
    .limit(size)
}

type Row = Awaited<ReturnType<typeof page>>[number]

/** A chain's last event must be the one audit_heads names. */
function checkEnd(last: Row): BrokenLink | null {
  const at = { chain: last.chain }
  if (last.headSeq === null) {
    return { ...at, seq: last.seq, eventId: last.id, reason: 'head_mismatch', detail: 'the chain has events but no head' }
  }
  if (last.headSeq > last.seq) {
    return { ...at, seq: last.seq + 1, eventId: null, reason: 'missing_event', detail: `the head is at ${last.headSeq} but the last event is ${last.seq}` }
  }
  if (last.headSeq < last.seq || last.headHash !== last.hash) {
    return { ...at, seq: last.seq, eventId: last.id, reason: 'head_mismatch', detail: `the head (${last.headSeq}) does not match the last event (${last.seq})` }
  }
  return null
}

/** Runs in the caller's transaction; give it a snapshot (see `verifyAuditLog`) so appends do not race the walk. */
export async function verifyChains(q: Queryable, options: VerifyOptions = {}): Promise<VerifyResult> {
  const size = options.pageSize ?? 1000
  let chainsChecked = 0
  let eventsChecked = 0
  const result = (firstBroken: BrokenLink | null, savedHeadsChecked: number | null = null): VerifyResult => ({
    ok: firstBroken === null,
    chainsChecked,
    eventsChecked,
    savedHeadsChecked,
    firstBroken,
    verifiedAt: new Date().toISOString(),
  })

  let last: Row | undefined
  let expectedSeq = 1
  let previousHash = GENESIS_HASH
  for (;;) {
    const rows = await page(q, last, size)
    for (const row of rows) {
      if (row.chain !== last?.chain) {
        if (last) {
          const broken = checkEnd(last)
          if (broken) return result(broken)
        }
        chainsChecked++
        expectedSeq = (row.anchorSeq ?? 0) + 1
        previousHash = row.anchorHash ?? GENESIS_HASH
      }
      if (row.seq !== expectedSeq) {
        const detail = `event ${expectedSeq} is missing; the next event present is ${row.seq} (${row.id})`
        return result({ chain: row.chain, seq: expectedSeq, eventId: null, reason: 'sequence_gap', detail })
      }
      if (chainHash(previousHash, asEvent(row)) !== row.hash) {
        const detail = 'the event does not hash to its stored hash from the previous link: it was altered, moved or replaced'
        return result({ chain: row.chain, seq: row.seq, eventId: row.id, reason: 'hash_mismatch', detail })
      }
      eventsChecked++
      expectedSeq++
      previousHash = row.hash
      last = row
    }
    if (rows.length < size) break
  }
  if (last) {
    const broken = checkEnd(last)
    if (broken) return result(broken)
  }

  const [orphan] = await q
    .select({ chain: auditHeads.chain, seq: auditHeads.seq })
    .from(auditHeads)
    .where(
      sql`not exists (select 1 from ${auditEvents} where ${auditEvents.chain} = ${auditHeads.chain})
        and not exists (select 1 from ${auditChainRemovals} where ${auditChainRemovals.chain} = ${auditHeads.chain} and ${auditChainRemovals.seq} = ${auditHeads.seq} and ${auditChainRemovals.hash} = ${auditHeads.hash})`,
    )
    .orderBy(asc(auditHeads.chain))
    .limit(1)
  if (orphan) {
    return result({ chain: orphan.chain, seq: 1, eventId: null, reason: 'missing_event', detail: `the head is at ${orphan.seq} but the chain has no events` })
  }

  if (options.savedHeads === undefined) return result(null)
  const saved = await checkSavedHeads(q, options.savedHeads)
  return result(saved.failure, saved.checked)
}

/** Verifies on one read-only snapshot, so events appended during the walk neither break nor join it. */
export function verifyAuditLog(database: Database, options: VerifyOptions = {}): Promise<VerifyResult> {
  return database.transaction(async (tx) => {
    await tx.execute(sql`set transaction isolation level repeatable read, read only`)
    return verifyChains(tx, options)
  })
}
