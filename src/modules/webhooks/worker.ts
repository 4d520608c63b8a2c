// The webhook delivery worker: claims due outbox rows (FOR UPDATE SKIP LOCKED), signs, sends, retries.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sql } from 'drizzle-orm'
import { type Queryable, queryRows } from '../../db/client.js'
import { purgeExpiredIdempotencyKeys } from '../../http/idempotency.js'
import { type Resolve, systemResolve } from './address-policy.js'
import { type Outcome, type SendOptions, send } from './send.js'
import { signatureHeader } from './signature.js'

export const RETRY_BASE_MS = 10_000
export const RETRY_CAP_MS = 3_600_000
/** A claimed row is not due again before this, so a crashed worker's rows are retried by another. */
const LEASE_MS = 120_000
const POLL_MS = 2_000
const BATCH_SIZE = 20
const SWEEP_EVERY_MS = 60_000
/** consent.expired is announced for consents that ended within this window (and never again). */
const EXPIRY_LOOKBACK = '7 days'

export interface DeliveryOptions {
  /** The clock; tests move it forward to make retries due. */
  now?: Date
  /** Uniform in [0, 1): the jitter of the retry delay. */
  random?: () => number
  batchSize?: number
  timeoutMs?: number
  /** Host name → addresses; tests give a resolver of their own, the worker uses the system's. */
  resolve?: Resolve
}

export interface RoundResult {
  claimed: number
  delivered: number
  retrying: number
  dead: number
}

interface Claimed {
  id: string
  attempts: number
  payload: { id: string; type: string; createdAt: string; data: unknown }
  url: string
  secret: string
  /** False once the endpoint is deleted or its partner client disabled: such a row is dropped, not sent. */
  live: boolean
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base · 2^(attempt − 1))). */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1))
  return Math.floor(random() * ceiling)
}

async function claimDue(q: Queryable, now: Date, limit: number): Promise<Claimed[]> {
  const leaseUntil = new Date(now.getTime() + LEASE_MS)
  return queryRows<Claimed>(
    q,
    sql`with due as (
          select d.id from webhook_deliveries d
          where d.status = 'pending' and d.next_attempt_at <= ${now.toISOString()}::timestamptz
          order by d.next_attempt_at, d.id
          limit ${limit}
          for update of d skip locked
        )
        update webhook_deliveries d
        set attempts = d.attempts + 1, next_attempt_at = ${leaseUntil.toISOString()}::timestamptz
        from due, webhook_endpoints e, partner_clients pc
        where d.id = due.id and e.id = d.endpoint_id and pc.id = e.partner_client_id
        returning d.id, d.attempts, d.payload, e.url, e.secret, (e.active and pc.active) as live`,
  )
}

function deliver(row: Claimed, options: SendOptions): Promise<Outcome> {
  const { id, type, createdAt, data } = row.payload
  const body = JSON.stringify({ id, type, createdAt, data })
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Polku-Webhooks/1',
    'polku-event-id': id,
    'polku-event-type': type,
    'polku-signature': signatureHeader(row.secret, body, Math.floor(Date.now() / 1000)),
  }
  return send(row.url, headers, body, options)
}

async function record(q: Queryable, row: Claimed, outcome: Outcome, now: Date, maxAttempts: number, random: () => number) {
  // Guarded by `attempts`: a worker whose lease ran out must not overwrite a newer attempt.
  const where = sql`id = ${row.id} and attempts = ${row.attempts} and status = 'pending'`
  if (outcome.ok) {
    await q.execute(
      sql`update webhook_deliveries set status = 'delivered', delivered_at = ${now.toISOString()}::timestamptz, last_status_code = ${outcome.status}, last_error = null where ${where}`,
    )
    return 'delivered' as const
  }
  const dead = row.attempts >= maxAttempts || !row.live
  const next = new Date(now.getTime() + retryDelayMs(row.attempts, random))
  await q.execute(
    sql`update webhook_deliveries set status = ${dead ? 'dead' : 'pending'}, next_attempt_at = ${next.toISOString()}::timestamptz,
        last_status_code = ${outcome.status}, last_error = ${outcome.error} where ${where}`,
  )
  return dead ? ('dead' as const) : ('retrying' as const)
}

/** One round: claim up to `batchSize` due deliveries in a short transaction, send them outside it, record each outcome. */
export async function runDeliveryRound(app: FastifyInstance, options: DeliveryOptions = {}): Promise<RoundResult> {
  const now = options.now ?? new Date()
  const random = options.random ?? Math.random
  const sendOptions: SendOptions = {
    resolve: options.resolve ?? systemResolve,
    allowPrivate: app.config.webhookAllowPrivateNetworks,
    timeoutMs: options.timeoutMs ?? 10_000,
  }
  const claimed = await app.database.transaction((tx) => claimDue(tx, now, options.batchSize ?? BATCH_SIZE))
  const result: RoundResult = { claimed: claimed.length, delivered: 0, retrying: 0, dead: 0 }
  await Promise.all(
    claimed.map(async (row) => {
      const outcome: Outcome = row.live ? await deliver(row, sendOptions) : { ok: false, status: null, error: 'endpoint deleted or partner client disabled' }
      const state = await app.database.transaction((tx) => record(tx, row, outcome, options.now ?? new Date(), app.config.webhookMaxAttempts, random))
      result[state] += 1
    }),
  )
  return result
}

/**
 * Queues consent.expired for agency consents that ran out unrevoked. The event id is derived from
 * the consent, and a row per endpoint is written only once, so repeated or concurrent sweeps agree.
 */
export async function sweepExpiredConsents(app: FastifyInstance, now = new Date()): Promise<number> {
  return app.database.transaction(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(hashtextextended('polku:consent-expired-sweep', 0)) as locked`)
    if (!lock?.locked) return 0
    const at = now.toISOString()
    const rows = await queryRows<{ id: string }>(
      tx,
      sql`insert into webhook_deliveries (event_id, endpoint_id, event_type, payload)
          select ev.event_id, e.id, 'consent.expired', jsonb_build_object(
            'id', ev.event_id, 'type', 'consent.expired', 'createdAt', ${at}::text,
            'data', jsonb_build_object(
              'consentId', c.id, 'youngPersonId', c.young_person_id, 'agencyId', c.grantee_agency_id,
              'categories', to_jsonb(c.categories), 'actions', to_jsonb(c.actions),
              'validUntil', to_char(c.valid_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
          from consents c
          cross join lateral (select md5('consent.expired:' || c.id::text)::uuid as event_id) ev
          join partner_clients pc on pc.agency_id = c.grantee_agency_id and pc.active
          join webhook_endpoints e on e.partner_client_id = pc.id and e.active and 'consent.expired' = any(e.events) and e.created_at <= c.valid_until
          where c.grantee_role is null and c.revoked_at is null and c.superseded_at is null
            and c.valid_until <= ${at}::timestamptz and c.valid_until > ${at}::timestamptz - ${EXPIRY_LOOKBACK}::interval
            and not exists (select 1 from webhook_deliveries d where d.event_id = ev.event_id and d.endpoint_id = e.id)
          returning id`,
    )
    return rows.length
  })
}

/** Runs rounds in the background while the app is up (WEBHOOK_WORKER); tests call runDeliveryRound instead. */
export const webhookWorker = fp(
  async (app: FastifyInstance) => {
    if (!app.config.webhookWorker) return
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    let running: Promise<void> | undefined
    let lastSweep = 0

    const tick = async () => {
      try {
        if (Date.now() - lastSweep >= SWEEP_EVERY_MS) {
          lastSweep = Date.now()
          await sweepExpiredConsents(app)
          await app.database.transaction((tx) => purgeExpiredIdempotencyKeys(tx, new Date()))
        }
        // A full batch means more may be due: go again at once.
        while (!stopped && (await runDeliveryRound(app)).claimed === BATCH_SIZE) {}
      } catch (error) {
        app.log.error({ err: error }, 'webhook delivery round failed')
      }
    }
    const schedule = () => {
      if (stopped) return
      timer = setTimeout(() => {
        running = tick().finally(schedule)
      }, POLL_MS)
      timer.unref()
    }

    app.addHook('onReady', async () => schedule())
    app.addHook('preClose', async () => {
      stopped = true
      clearTimeout(timer)
      await running
    })
  },
  { name: 'polku-webhook-worker', dependencies: ['polku-database'] },
)
