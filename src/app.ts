// buildApp(config): the whole wiring of Polku in one place. It never listens; server.ts does.
import { randomUUID } from 'node:crypto'
import type { PGlite } from '@electric-sql/pglite'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify'
import fp from 'fastify-plugin'
import { authenticate } from './auth/authenticate.js'
import { PARTNER_SCOPES, principalId } from './auth/principal.js'
import type { Config } from './config.js'
import { type Database, openDatabase, withRequestDeadline } from './db/client.js'
import { problemCodeOf, registerErrorHandling, ShuttingDownError } from './errors.js'
import { type ContractFacts, registerContract } from './http/contract.js'
import { finishDocument } from './http/document.js'
import { DOCS_UI_SCRIPT, STANDALONE_PRESET_STUB } from './http/docs-ui.js'
import { validatorCompilers } from './http/validation.js'
import { loadShedding } from './http/load-shedding.js'
import { healthRoutes } from './modules/health/health.routes.js'
import { linkAttempts } from './modules/linking/link-attempts.js'
import { myPage } from './modules/my-page/my-page.plugin.js'
import { v1Routes } from './modules/v1.js'
import { retentionJob } from './modules/retention/retention.job.js'
import { webhookWorker } from './modules/webhooks/worker.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    database: Database
    /** `draining` turns true when shutdown begins: readiness answers 503 from then on. */
    lifecycle: { draining: boolean }
  }
}

export interface BuildOptions {
  /** A PGlite already holding a migrated database (tests); otherwise the config decides. */
  pglite?: PGlite
  /** Where log lines go (tests capture them); defaults to stdout. */
  logStream?: NodeJS.WritableStream
}

/** A stable operationId from method and path: POST /v1/young-persons/:id/consents → postYoungPersonsByIdConsents. */
function operationId(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((part) => part !== '' && part !== 'v1')
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .join('-')
    .split(/[-_.]/)
    .filter(Boolean)
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
}

const PARTNER_SCOPE_TEXT: Record<(typeof PARTNER_SCOPES)[number], string> = {
  'pathway:read': 'Read young persons, pathways, goals and steps under the agency\'s consents',
  'pathway:write': 'Change pathways, goals and steps under the agency\'s write consents',
  'referrals:read': 'Read referrals made with or received under consent',
  'referrals:write': 'Make referrals and act on received ones',
  'visits:write': 'Record anonymous visits',
  'stats:read': 'Read anonymous statistics',
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Log redaction: credentials and every personal-data field name, wherever they appear. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.givenName',
  '*.familyName',
  '*.birthDate',
  '*.email',
  '*.phone',
  '*.body',
  '*.purpose',
  '*.evidence',
  '*.reason',
  '*.clientSecret',
  '*.client_secret',
  '*.secret',
]

function loggerOptions(config: Config, stream: NodeJS.WritableStream | undefined): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(stream ? { stream } : {}),
  } as FastifyServerOptions['logger']
}

const databasePlugin = fp(
  async (app: FastifyInstance, { config, pglite }: { config: Config; pglite?: PGlite }) => {
    const database = await openDatabase(config, { pglite, migrate: true })
    app.decorate('database', database)
    app.addHook('onClose', async () => database.close())
  },
  { name: 'polku-database' },
)

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    // One line per request comes from the onResponse hook below, not from Fastify's pair of lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    // While closing, new requests get the same 503 problem+json as any other (see preClose below),
    // not Fastify's own plain JSON body.
    return503OnClosing: false,
    // Migrations run while the database plugin starts; a loaded machine must not turn that into a crash.
    pluginTimeout: 120_000,
    schemaController: validatorCompilers(),
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('config', config)
  app.decorate('lifecycle', { draining: false })
  registerErrorHandling(app)
  // Every transaction a request opens ends by the request's deadline (a 503 past it).
  app.addHook('onRequest', (_request, _reply, done) => withRequestDeadline(Date.now() + config.requestDeadlineMs, done))
  await app.register(loadShedding, { overload: config.overload })
  // JSON only (plus the form-encoded OAuth token request): any other body is a 415, not a string.
  app.removeContentTypeParser('text/plain')
  const contractFacts: ContractFacts = new Map()
  registerContract(app, contractFacts)

  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
    if (closing) {
      reply.header('connection', 'close')
      throw new ShuttingDownError()
    }
  })
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        code: problemCodeOf(request),
      },
      'request completed',
    )
  })

  await app.register(swagger, {
    transform: ({ schema, url, route }) => ({
      url,
      schema: { ...schema, operationId: (schema as { operationId?: string } | undefined)?.operationId ?? operationId(String(route.method), url) },
    }),
    transformObject: (documentObject) => finishDocument((documentObject as { openapiObject: Record<string, unknown> }).openapiObject, contractFacts),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Polku API',
        version: '1.0.0',
        description:
          'Consent-first case coordination for one-stop youth guidance centres. Access to a young person\'s data happens only through explicit, revocable consent.',
        contact: { name: 'Polku maintainers', url: 'https://github.com/polku/polku', email: 'api@polku.example' },
        license: { name: 'Proprietary', url: 'https://polku.example/licence' },
      },
      // x-internal: the audience of the server (OWASP API9), false = partners may use it.
      servers: [{ url: '/', description: 'The instance serving this document (local, staging or production alike)', ...{ 'x-internal': false } }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'A JWT from the centre\'s sign-in (professionals, admins, auditors, young persons), verified following RFC8725 (JWT best current practices): pinned algorithm, `iss`, `aud`, `exp` and `sub` required.',
          },
          partnerOAuth: {
            type: 'oauth2',
            description:
              'Partner systems: the client-credentials grant at POST /v1/oauth/token gives a short-lived JWT bearer token (RFC8725 practices: pinned algorithm, `iss`, `aud`, `exp`) with the granted scopes.',
            flows: {
              clientCredentials: {
                tokenUrl: '/v1/oauth/token',
                scopes: Object.fromEntries(PARTNER_SCOPES.map((scope) => [scope, PARTNER_SCOPE_TEXT[scope]])),
              },
            },
          },
        },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'auth', description: 'Partner token endpoint' },
        { name: 'registry', description: 'Agencies, professionals, centres and partner clients (admin)' },
        { name: 'young-persons', description: 'Intake and the caseload' },
        { name: 'consent', description: 'Granting, requesting and revoking consent' },
        { name: 'pathway', description: 'Goals, steps, notes, team and timeline' },
        { name: 'referrals', description: 'Referrals between agencies' },
        { name: 'me', description: "The young person's own view" },
        { name: 'visits', description: 'Anonymous visits and statistics' },
        { name: 'audit', description: 'Audit trail (auditors)' },
        { name: 'webhooks', description: 'Partner webhooks' },
      ],
    },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Operations first; the schema section at the end is left folded, so the page renders quickly.
    // Swagger UI's own layout, without the standalone preset's top bar (a box to open another document's URL).
    uiConfig: { defaultModelsExpandDepth: -1, displayOperationId: false, layout: 'BaseLayout' },
    theme: { title: 'Polku API reference', js: [{ filename: 'docs-ui.js', content: DOCS_UI_SCRIPT }] },
  })
  // The page still names the standalone preset's script (a quarter of a megabyte to load and run): it is
  // answered with an empty preset.
  app.get('/docs/static/swagger-ui-standalone-preset.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').send(STANDALONE_PRESET_STUB),
  )
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  // Built once the server listens (it takes half a second), not when the first reader opens /docs.
  app.addHook('onListen', async function buildDocument() {
    app.swagger()
  })

  await app.register(databasePlugin, { config, pglite: options.pglite })
  await app.register(authenticate, { jwt: config.jwt })
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    hook: 'preHandler',
    // IETF RateLimit-Limit / -Remaining / -Reset (draft-ietf-httpapi-ratelimit-headers) and Retry-After on 429.
    enableDraftSpec: true,
    allowList: (request) => !request.url.startsWith('/v1/'),
    keyGenerator: (request) => (request.principal ? principalId(request.principal) : request.ip),
    errorResponseBuilder: (_request, context) => {
      const error = new Error(`Rate limit exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`) as Error & {
        statusCode: number
        code: string
        headers: Record<string, string>
      }
      error.statusCode = 429
      error.code = 'POLKU_RATE_LIMITED'
      error.headers = { 'retry-after': String(Math.ceil(context.ttl / 1000)) }
      return error
    },
  })

  await app.register(linkAttempts)
  await app.register(healthRoutes)
  await app.register(v1Routes, { prefix: '/v1' })
  // The young person's own page: HTML, its own session cookie, CSRF and CSP, scoped to /my.
  await app.register(myPage, { prefix: '/my' })
  await app.register(webhookWorker)
  await app.register(retentionJob)
  return app
}
