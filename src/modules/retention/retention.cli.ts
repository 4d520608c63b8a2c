// `npm run cli -- retention:run [--dry-run]`: one run of the retention job by hand, printing each young person it erases.
import type { RetentionConfig } from '../../config.js'
import type { Database } from '../../db/client.js'
import { runRetention } from './retention.job.js'

export async function retentionRunCommand(database: Database, rules: RetentionConfig, dryRun: boolean, out: (line: string) => void): Promise<number> {
  const result = await runRetention(database, rules, { dryRun })
  const verb = dryRun ? 'would erase' : 'erased'
  for (const item of result.erased) {
    out(`${verb} ${item.youngPersonId}: ${item.whole ? 'the whole record (tombstone)' : item.categories.join(', ')}`)
  }
  out(`${result.erased.length} young person(s) ${verb}${dryRun ? '' : `; ${result.auditChainsRemoved} expired audit chain(s) removed`}`)
  return 0
}
