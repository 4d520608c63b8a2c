// The /v1 API: every route but the token endpoint requires a verified bearer token.
import type { FastifyPluginAsync } from 'fastify'
import { oauthRoutes } from '../auth/oauth.routes.js'
import { consentRoutes } from './consents/consents.routes.js'
import { meRoutes } from './me/me.routes.js'
import { registryRoutes } from './registry/registry.routes.js'
import { youngPersonRoutes } from './young-persons/young-persons.routes.js'

export const v1Routes: FastifyPluginAsync = async (app) => {
  await app.register(oauthRoutes)
  await app.register(async (secured) => {
    secured.addHook('onRequest', secured.authenticate)
    await secured.register(registryRoutes)
    await secured.register(youngPersonRoutes)
    await secured.register(consentRoutes)
    await secured.register(meRoutes)
  })
}
