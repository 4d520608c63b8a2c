// Overload is shed, not queued: past a limit, new requests get 503 + Retry-After at once.
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { OverloadConfig } from '../config.js'
import { OverloadedError } from '../errors.js'

/** Liveness always answers: an orchestrator must not restart a process only because it is busy. */
const EXEMPT = new Set(['/health/live'])
const SAMPLE_INTERVAL_MS = 250
const WARM_UP_MS = 4 * SAMPLE_INTERVAL_MS

/**
 * @fastify/under-pressure sheds when the event loop lags or is saturated (CPU-bound overload);
 * the in-flight cap sheds when requests pile up waiting on the database (I/O-bound overload),
 * which the event loop never shows.
 */
export const loadShedding = fp(
  async (app: FastifyInstance, { overload }: { overload: OverloadConfig }) => {
    const retryAfter = String(overload.retryAfterSeconds)
    // The first samples measure start-up (migrations, compiling), not load: shed only once they have passed.
    let warm = false
    app.addHook('onReady', async () => {
      setTimeout(() => {
        warm = true
      }, WARM_UP_MS).unref()
    })
    if (overload.maxEventLoopDelayMs > 0 || overload.maxEventLoopUtilization > 0) {
      await app.register(underPressure, {
        maxEventLoopDelay: overload.maxEventLoopDelayMs,
        maxEventLoopUtilization: overload.maxEventLoopUtilization,
        sampleInterval: SAMPLE_INTERVAL_MS,
        retryAfter: overload.retryAfterSeconds,
        // A rejected promise reaches the error handler, which renders the problem+json 503.
        pressureHandler: async (request, _reply, type) => {
          if (warm && !EXEMPT.has(request.url)) throw new OverloadedError(type, retryAfter)
        },
      })
    }
    if (overload.maxConcurrentRequests === 0) return
    let inFlight = 0
    const counted = new WeakSet<object>()
    app.addHook('onRequest', async (request) => {
      if (EXEMPT.has(request.url)) return
      if (inFlight >= overload.maxConcurrentRequests) throw new OverloadedError('concurrency', retryAfter)
      inFlight++
      counted.add(request)
    })
    const release = async (request: object) => {
      if (counted.delete(request)) inFlight--
    }
    app.addHook('onResponse', release)
    app.addHook('onRequestAbort', release)
  },
  { name: 'polku-load-shedding' },
)
