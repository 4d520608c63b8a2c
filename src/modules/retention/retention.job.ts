// The retention job: erases what is due, one young person per transaction, safe with many instances and after a crash.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { DataCategory, RetentionConfig } from '../../config.js'
import type { Database } from '../../db/client.js'
import { removeExpiredAuditChains } from './audit-retention.js'
import { eraseAndAudit } from './erase.js'
import { claimDue } from './retention.queries.js'
import { completesErasure, dueCategories } from './retention.rules.js'

export interface RetentionRunOptions {
  /** The clock: tests move it forward; production uses the wall clock. */
  now?: Date
  /** Only report what would be erased. */
  dryRun?: boolean
  /** Called after each young person's erasure has committed (tests stop a run here to simulate a crash). */
  afterEach?: (erased: ErasedItem) => void | Promise<void>
  /** Stop after this many young persons (the rest waits for the next run). */
  maxPersons?: number
}

export interface ErasedItem {
  youngPersonId: string
  categories: DataCategory[]
  /** The whole record became a tombstone. */
  whole: boolean
}

export interface RetentionRunResult {
  runId: string
  dryRun: boolean
  erased: ErasedItem[]
  auditChainsRemoved: number
}

/**
 * One run. Each young person is claimed, erased and audited in one transaction (FOR UPDATE SKIP LOCKED), so
 * a second instance never erases the same record, and a crash loses at most the uncommitted one, which the
 * next run finds due again.
 */
export async function runRetention(database: Database, rules: RetentionConfig, options: RetentionRunOptions = {}): Promise<RetentionRunResult> {
  const now = options.now ?? new Date()
  const runId = randomUUID()
  const source = { system: 'retention-job', id: `retention:${runId}` }
  const erased: ErasedItem[] = []
  if (options.dryRun) {
    const due = await database.transaction((tx) => claimDue(tx, rules, now, options.maxPersons ?? 100_000, false))
    for (const basis of due) {
      const categories = dueCategories(rules, basis, now)
      erased.push({ youngPersonId: basis.youngPersonId, categories, whole: completesErasure(basis, categories) })
    }
    return { runId, dryRun: true, erased, auditChainsRemoved: 0 }
  }
  const limit = options.maxPersons ?? Number.POSITIVE_INFINITY
  while (erased.length < limit) {
    const item = await database.transaction(async (tx) => {
      const [basis] = await claimDue(tx, rules, now, 1)
      if (!basis) return null
      const categories = dueCategories(rules, basis, now)
      const whole = completesErasure(basis, categories)
      await eraseAndAudit(tx, source, basis.youngPersonId, categories, whole, now, 'retention')
      return { youngPersonId: basis.youngPersonId, categories, whole }
    })
    if (!item) break
    erased.push(item)
    await options.afterEach?.(item)
  }
  const auditChainsRemoved = await removeExpiredAuditChains(database, rules, now, source)
  return { runId, dryRun: false, erased, auditChainsRemoved }
}

/** Runs the job every RETENTION_JOB_INTERVAL_MINUTES while the server is up (RETENTION_JOB). */
export const retentionJob = fp(
  async (app: FastifyInstance) => {
    const rules = app.config.retention
    if (!rules.job) return
    let timer: NodeJS.Timeout | undefined
    let running: Promise<void> | undefined
    let stopped = false
    const tick = async () => {
      try {
        const result = await runRetention(app.database, rules)
        if (result.erased.length > 0 || result.auditChainsRemoved > 0) {
          app.log.info({ runId: result.runId, erased: result.erased.length, auditChainsRemoved: result.auditChainsRemoved }, 'retention run')
        }
      } catch (error) {
        app.log.error({ err: error }, 'retention run failed')
      }
    }
    const schedule = (delayMs: number) => {
      if (stopped) return
      timer = setTimeout(() => {
        running = tick().finally(() => schedule(rules.intervalMinutes * 60_000))
      }, delayMs)
      timer.unref()
    }
    // The first run soon after start, so a restarted instance resumes an interrupted run.
    app.addHook('onReady', async () => schedule(10_000))
    app.addHook('preClose', async () => {
      stopped = true
      clearTimeout(timer)
      await running
    })
  },
  { name: 'polku-retention-job', dependencies: ['polku-database'] },
)
