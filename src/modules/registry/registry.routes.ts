// Registry routes (admin): agencies, professionals, centres and partner clients. No personal data here.
import { randomBytes } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { hashSecret, newSecret } from '../../auth/secrets.js'
import { ensureCan } from '../../authz/index.js'
import { ConflictError, NotFoundError, UnprocessableError } from '../../errors.js'
import { IdempotencyHeaders, idempotentCreate } from '../../http/idempotency.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { IdParams, responses } from '../../http/schemas.js'
import * as queries from './registry.queries.js'
import * as s from './registry.schemas.js'

const byCreation = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id })
const same = <T>(row: T) => row

export const registryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.post(
    '/agencies',
    { schema: { tags: ['registry'], summary: 'Create an agency', headers: IdempotencyHeaders, body: s.CreateAgency, response: responses({ 201: s.Agency }, 403) } },
    async (request, reply) => {
      ensureCan(request.principal, 'create', 'Agency')
      const agency = await idempotentCreate(request, reply, 201, (tx) => queries.insertAgency(tx, request.body))
      return reply.send(agency!)
    },
  )

  app.get(
    '/agencies',
    { schema: { tags: ['registry'], summary: 'List agencies', querystring: s.ListQuery, response: responses({ 200: s.AgencyList }, 403) } },
    async (request, reply) => {
      ensureCan(request.principal, 'read', 'Agency')
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => queries.listAgencies(tx, page))
      return toPage(request, reply, page, rows, byCreation, same)
    },
  )

  app.get(
    '/agencies/:id',
    { schema: { tags: ['registry'], summary: 'Get an agency', params: IdParams, response: responses({ 200: s.Agency }, 403, 404) } },
    async (request) => {
      ensureCan(request.principal, 'read', 'Agency')
      const agency = await db.transaction((tx) => queries.findAgency(tx, request.params.id))
      if (!agency) throw new NotFoundError()
      return agency
    },
  )

  app.post(
    '/professionals',
    {
      schema: {
        tags: ['registry'],
        summary: 'Register a professional and their login subject',
        headers: IdempotencyHeaders,
        body: s.CreateProfessional,
        response: responses({ 201: s.Professional }, 403, 409, 422),
      },
    },
    async (request, reply) => {
      ensureCan(request.principal, 'create', 'Professional')
      const { centreIds = [], ...input } = request.body
      const professional = await idempotentCreate(request, reply, 201, async (tx) => {
        if (!(await queries.findAgency(tx, input.agencyId))) throw new UnprocessableError('agencyId does not name an agency')
        // The unique index still decides a race; this check only gives the usual case a clear message.
        if (await queries.subjectTaken(tx, input.subject)) throw new ConflictError('An account with this subject already exists')
        const known = await queries.existingCentreIds(tx, centreIds)
        if (known.length !== centreIds.length) throw new UnprocessableError('centreIds names a centre that does not exist')
        return queries.insertProfessional(tx, { ...input, centreIds })
      })
      return reply.send(professional!)
    },
  )

  app.get(
    '/professionals',
    {
      schema: {
        tags: ['registry'],
        summary: 'List professionals',
        querystring: Type.Object({ ...s.ListQuery.properties, agencyId: Type.Optional(Type.String({ format: 'uuid', description: 'Only this agency' })) }, { additionalProperties: false }),
        response: responses({ 200: s.ProfessionalList }, 403),
      },
    },
    async (request, reply) => {
      ensureCan(request.principal, 'read', 'Professional')
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => queries.listProfessionals(tx, page, request.query.agencyId))
      return toPage(request, reply, page, rows, byCreation, same)
    },
  )

  app.get(
    '/professionals/:id',
    { schema: { tags: ['registry'], summary: 'Get a professional', params: IdParams, response: responses({ 200: s.Professional }, 403, 404) } },
    async (request) => {
      ensureCan(request.principal, 'read', 'Professional')
      const professional = await db.transaction((tx) => queries.findProfessional(tx, request.params.id))
      if (!professional) throw new NotFoundError()
      return professional
    },
  )

  app.post(
    '/professionals/:id/deactivate',
    {
      schema: {
        tags: ['registry'],
        summary: 'Deactivate a professional: their tokens stop working on the next request',
        params: IdParams,
        response: responses({ 200: s.Professional }, 403, 404),
      },
    },
    async (request) => {
      ensureCan(request.principal, 'update', 'Professional')
      return db.transaction(async (tx) => {
        if (!(await queries.deactivateProfessional(tx, request.params.id))) throw new NotFoundError()
        return (await queries.findProfessional(tx, request.params.id))!
      })
    },
  )

  app.post(
    '/centres',
    { schema: { tags: ['registry'], summary: 'Create a guidance centre', headers: IdempotencyHeaders, body: s.CreateCentre, response: responses({ 201: s.Centre }, 403) } },
    async (request, reply) => {
      ensureCan(request.principal, 'create', 'Centre')
      const centre = await idempotentCreate(request, reply, 201, (tx) => queries.insertCentre(tx, request.body))
      return reply.send(centre!)
    },
  )

  app.get(
    '/centres',
    { schema: { tags: ['registry'], summary: 'List guidance centres', querystring: s.ListQuery, response: responses({ 200: s.CentreList }, 403) } },
    async (request, reply) => {
      ensureCan(request.principal, 'read', 'Centre')
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => queries.listCentres(tx, page))
      return toPage(request, reply, page, rows, byCreation, same)
    },
  )

  app.get(
    '/centres/:id',
    { schema: { tags: ['registry'], summary: 'Get a guidance centre', params: IdParams, response: responses({ 200: s.Centre }, 403, 404) } },
    async (request) => {
      ensureCan(request.principal, 'read', 'Centre')
      const centre = await db.transaction((tx) => queries.findCentre(tx, request.params.id))
      if (!centre) throw new NotFoundError()
      return centre
    },
  )

  app.post(
    '/partner-clients',
    {
      schema: {
        tags: ['registry'],
        summary: 'Register a partner system; its secret is shown once',
        headers: IdempotencyHeaders,
        body: s.CreatePartnerClient,
        response: responses({ 201: s.PartnerClientWithSecret }, 403, 422),
      },
    },
    async (request, reply) => {
      ensureCan(request.principal, 'create', 'PartnerClient')
      const clientSecret = newSecret()
      const secretHash = await hashSecret(clientSecret)
      const client = await idempotentCreate(request, reply, 201, async (tx) => {
        if (!(await queries.findAgency(tx, request.body.agencyId))) throw new UnprocessableError('agencyId does not name an agency')
        const row = await queries.insertPartnerClient(tx, { ...request.body, clientId: `pc_${randomBytes(12).toString('hex')}`, secretHash })
        return { ...row, clientSecret }
      })
      return reply.send(client!)
    },
  )

  app.get(
    '/partner-clients',
    { schema: { tags: ['registry'], summary: 'List partner clients', querystring: s.ListQuery, response: responses({ 200: s.PartnerClientList }, 403) } },
    async (request, reply) => {
      ensureCan(request.principal, 'read', 'PartnerClient')
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => queries.listPartnerClients(tx, page))
      return toPage(request, reply, page, rows, byCreation, same)
    },
  )

  app.get(
    '/partner-clients/:id',
    { schema: { tags: ['registry'], summary: 'Get a partner client', params: IdParams, response: responses({ 200: s.PartnerClient }, 403, 404) } },
    async (request) => {
      ensureCan(request.principal, 'read', 'PartnerClient')
      const client = await db.transaction((tx) => queries.findPartnerClient(tx, request.params.id))
      if (!client) throw new NotFoundError()
      return client
    },
  )

  app.post(
    '/partner-clients/:id/disable',
    { schema: { tags: ['registry'], summary: 'Disable a partner client: its tokens stop working at once', params: IdParams, response: responses({ 200: s.PartnerClient }, 403, 404) } },
    async (request) => {
      ensureCan(request.principal, 'update', 'PartnerClient')
      const client = await db.transaction((tx) => queries.updatePartnerClient(tx, request.params.id, { active: false }))
      if (!client) throw new NotFoundError()
      return client
    },
  )

  app.post(
    '/partner-clients/:id/rotate-secret',
    { schema: { tags: ['registry'], summary: 'Issue a new client secret; the old one stops working', params: IdParams, response: responses({ 200: s.PartnerClientWithSecret }, 403, 404) } },
    async (request) => {
      ensureCan(request.principal, 'update', 'PartnerClient')
      const clientSecret = newSecret()
      const secretHash = await hashSecret(clientSecret)
      const client = await db.transaction((tx) => queries.updatePartnerClient(tx, request.params.id, { secretHash }))
      if (!client) throw new NotFoundError()
      return { ...client, clientSecret }
    },
  )
}
