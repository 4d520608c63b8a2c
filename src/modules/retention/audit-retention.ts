// Audit retention: whole chains of erased young persons go once their newest event is older than AUDIT_RETENTION_DAYS.
import { sql } from 'drizzle-orm'
import type { RetentionConfig } from '../../config.js'
import { type Database, queryRows } from '../../db/client.js'
import { type AuditSource, recordAudit } from '../audit/audit.writer.js'
import { addDays } from './retention.rules.js'

/**
 * Removes each expired chain in its own transaction: its final head is kept in audit_chain_removals (so
 * verification anchors any later event to it), its events are deleted, and the removal is audited on the
 * system chain. Returns how many chains were removed.
 */
export async function removeExpiredAuditChains(database: Database, rules: RetentionConfig, now: Date, source: AuditSource): Promise<number> {
  const cutoff = addDays(now, -rules.auditDays).toISOString()
  let removed = 0
  for (;;) {
    const done = await database.transaction(async (tx) => {
      const [chain] = await queryRows<{ chain: string; seq: string | number; hash: string }>(
        tx,
        sql`select h.chain, h.seq, h.hash from audit_heads h
          join young_persons yp on yp.id::text = h.chain and yp.erased_at is not null
          where exists (select 1 from audit_events e where e.chain = h.chain)
            and not exists (select 1 from audit_events e where e.chain = h.chain and e.occurred_at >= ${cutoff}::timestamptz)
          order by h.chain limit 1
          for update of h skip locked`,
      )
      if (!chain) return false
      await tx.execute(sql`insert into audit_chain_removals (chain, seq, hash, removed_at) values (${chain.chain}, ${Number(chain.seq)}, ${chain.hash}, ${now.toISOString()}::timestamptz)
        on conflict (chain) do update set seq = excluded.seq, hash = excluded.hash, removed_at = excluded.removed_at`)
      await tx.execute(sql`select set_config('polku.audit_retention', 'on', true)`)
      await tx.execute(sql`delete from audit_events where chain = ${chain.chain}`)
      await recordAudit(tx, source, [{ action: 'remove_audit_chain', resourceType: 'AuditChain', resourceId: chain.chain, outcome: 'allowed' }])
      return true
    })
    if (!done) return removed
    removed++
  }
}
