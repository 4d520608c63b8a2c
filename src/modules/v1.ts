// The /v1 API: every route but the token endpoint requires a verified bearer token.
import type { FastifyPluginAsync } from 'fastify'
import { oauthRoutes } from '../auth/oauth.routes.js'
import { auditRoutes } from './audit/audit.routes.js'
import { consentRoutes } from './consents/consents.routes.js'
import { linkRoutes } from './linking/link.routes.js'
import { exportRoutes } from './me/export.routes.js'
import { meRoutes } from './me/me.routes.js'
import { pathwayRoutes } from './pathway/pathway.routes.js'
import { referralRoutes } from './referrals/referrals.routes.js'
import { registryRoutes } from './registry/registry.routes.js'
import { closingRoutes } from './retention/closing.routes.js'
import { erasureRoutes } from './retention/erasure.routes.js'
import { reviewItemRoutes } from './review-items/review-items.routes.js'
import { statsRoutes } from './stats/stats.routes.js'
import { timelineRoutes } from './timeline/timeline.routes.js'
import { visitRoutes } from './visits/visits.routes.js'
import { webhookRoutes } from './webhooks/webhooks.routes.js'
import { youngPersonRoutes } from './young-persons/young-persons.routes.js'

export const v1Routes: FastifyPluginAsync = async (app) => {
  await app.register(oauthRoutes)
  // Linking verifies the token itself: its subject has no account yet.
  await app.register(linkRoutes)
  await app.register(async (secured) => {
    secured.addHook('onRequest', secured.authenticate)
    await secured.register(registryRoutes)
    await secured.register(visitRoutes)
    await secured.register(statsRoutes)
    await secured.register(youngPersonRoutes)
    await secured.register(consentRoutes)
    await secured.register(meRoutes)
    await secured.register(exportRoutes)
    await secured.register(pathwayRoutes)
    await secured.register(auditRoutes)
    await secured.register(referralRoutes)
    await secured.register(timelineRoutes)
    await secured.register(webhookRoutes)
    await secured.register(closingRoutes)
    await secured.register(erasureRoutes)
    await secured.register(reviewItemRoutes)
  })
}
