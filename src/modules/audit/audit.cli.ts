// Operator commands for the audit log: print the chain heads, verify the chains (optionally against saved heads).
import { readFileSync } from 'node:fs'
import { Value } from 'typebox/value'
import type { Database } from '../../db/client.js'
import { readHeads, type SavedChainHead, savedSnapshotIsIntact } from './audit.heads.js'
import { SavedHead } from './audit.schemas.js'
import { type VerifyResult, verifyAuditLog } from './audit.verify.js'

type Print = (line: string) => void

/** Exit codes: 0 intact, 1 broken, 2 the saved-heads file is unreadable or altered. */
export async function auditVerifyCommand(database: Database, againstPath: string | undefined, out: Print, err: Print): Promise<number> {
  let savedHeads: SavedChainHead[] | undefined
  if (againstPath !== undefined) {
    let saved: unknown
    try {
      saved = JSON.parse(readFileSync(againstPath, 'utf8'))
    } catch (error) {
      err(`polku: cannot read ${againstPath}: ${(error as Error).message}`)
      return 2
    }
    if (!Value.Check(SavedHead, saved)) {
      err(`polku: ${againstPath} is not a snapshot from audit:head or GET /v1/audit/head`)
      return 2
    }
    if (!savedSnapshotIsIntact(saved)) {
      err(`polku: the heads in ${againstPath} do not match its digest; the file was changed after it was saved`)
      return 2
    }
    savedHeads = saved.heads
  }
  const result = await verifyAuditLog(database, { savedHeads })
  for (const line of describe(result)) out(line)
  return result.ok ? 0 : 1
}

export function describe(result: VerifyResult): string[] {
  const counts = `${result.chainsChecked} chains, ${result.eventsChecked} events`
  const saved = result.savedHeadsChecked === null ? '' : `, ${result.savedHeadsChecked} saved heads in place`
  if (result.ok || result.firstBroken === null) return [`audit log intact: ${counts}${saved}`]
  const b = result.firstBroken
  return [
    `audit log BROKEN: ${b.reason} in chain ${b.chain} at seq ${b.seq}${b.eventId ? ` (event ${b.eventId})` : ''}`,
    `  ${b.detail}`,
    `  checked before the break: ${counts}`,
  ]
}

/** Prints the snapshot as JSON, ready to store outside Polku and pass back with --against. */
export async function auditHeadCommand(database: Database, out: Print): Promise<number> {
  const snapshot = await database.transaction((tx) => readHeads(tx))
  out(JSON.stringify(snapshot, null, 2))
  return 0
}
