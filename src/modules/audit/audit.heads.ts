// Chain heads: the snapshot an operator stores outside Polku, its digest, and the check against a saved one.
import { createHash } from 'node:crypto'
import { type SQL, sql } from 'drizzle-orm'
import { type Queryable, queryRows } from '../../db/client.js'

export interface ChainHead {
  chain: string
  seq: number
  hash: string
  /** The id of the event at the head, or null when that event is missing. */
  eventId: string | null
}

/** A head as saved outside Polku; the event id is optional there. */
export type SavedChainHead = Omit<ChainHead, 'eventId'> & { eventId?: string | null }

export interface HeadSnapshot {
  digest: string
  chains: number
  heads: ChainHead[]
  createdAt: string
}

/** Breaks found against a saved snapshot; the chain walk has its own reasons in audit.verify.ts. */
export type SavedHeadBreak = 'missing_against_saved_head' | 'saved_head_mismatch'

export interface SavedHeadFailure {
  chain: string
  seq: number
  eventId: string | null
  reason: SavedHeadBreak
  detail: string
}

const byChain = (a: { chain: string }, b: { chain: string }) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0)

/**
 * SHA-256 over `chain TAB seq TAB hash LF` for every head, sorted by chain in code-unit order, so
 * anyone can recompute it from the heads alone, independent of the database's collation.
 */
export function headsDigest(heads: readonly { chain: string; seq: number; hash: string }[]): string {
  const digest = createHash('sha256')
  for (const head of [...heads].sort(byChain)) digest.update(`${head.chain}\t${head.seq}\t${head.hash}\n`)
  return digest.digest('hex')
}

/** Every chain's head in one statement, hence one consistent snapshot even while writers append. */
export async function readHeads(q: Queryable): Promise<HeadSnapshot> {
  const rows = await queryRows<{ chain: string; seq: string | number; hash: string; event_id: string | null }>(
    q,
    sql`select h.chain, h.seq, h.hash, e.id as event_id from audit_heads h left join audit_events e on e.chain = h.chain and e.seq = h.seq`,
  )
  const heads = rows.map((r) => ({ chain: r.chain, seq: Number(r.seq), hash: r.hash, eventId: r.event_id })).sort(byChain)
  return { digest: headsDigest(heads), chains: heads.length, heads, createdAt: new Date().toISOString() }
}

/** A saved snapshot whose heads no longer match its own digest was edited after it left Polku. */
export function savedSnapshotIsIntact(saved: { digest: string; heads: readonly { chain: string; seq: number; hash: string }[] }): boolean {
  return headsDigest(saved.heads) === saved.digest
}

const BATCH = 500

/**
 * Each saved (chain, seq) must still hold the saved hash. The chain walk proves every link before it,
 * so this catches a cut tail even when audit_heads was rewritten to match.
 */
export async function checkSavedHeads(q: Queryable, saved: readonly SavedChainHead[]): Promise<{ checked: number; failure: SavedHeadFailure | null }> {
  const ordered = [...saved].sort(byChain)
  let checked = 0
  for (let start = 0; start < ordered.length; start += BATCH) {
    const batch = ordered.slice(start, start + BATCH)
    const values: SQL[] = batch.map((h, i) => sql`(${i}::int, ${h.chain}::text, ${h.seq}::bigint)`)
    const rows = await queryRows<{ i: number; event_id: string | null; hash: string | null; last_seq: string | number | null }>(
      q,
      sql`select s.i, e.id as event_id, e.hash,
  case when e.id is null then (select max(m.seq) from audit_events m where m.chain = s.chain) end as last_seq
from (values ${sql.join(values, sql`, `)}) as s (i, chain, seq)
left join audit_events e on e.chain = s.chain and e.seq = s.seq
order by s.i`,
    )
    for (const row of rows) {
      const head = batch[row.i]!
      if (row.event_id === null) {
        const lastSeq = row.last_seq === null ? 0 : Number(row.last_seq)
        const seq = Math.min(lastSeq + 1, head.seq)
        return {
          checked,
          failure: {
            chain: head.chain,
            seq,
            eventId: seq === head.seq ? (head.eventId ?? null) : null,
            reason: 'missing_against_saved_head',
            detail: `the saved head is event ${head.seq} of this chain, but the chain now ends at ${lastSeq}`,
          },
        }
      }
      if (row.hash !== head.hash) {
        return {
          checked,
          failure: {
            chain: head.chain,
            seq: head.seq,
            eventId: row.event_id,
            reason: 'saved_head_mismatch',
            detail: 'the event at the saved head has a different hash than when the head was saved',
          },
        }
      }
      checked++
    }
  }
  return { checked, failure: null }
}
