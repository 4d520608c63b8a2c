// Team routes: who currently holds active consent for the young person, for them and for `pathway` readers.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { withYoungPersonRead } from '../../authz/index.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { Category, ListOf, Nullable, PageQuery, responses, Timestamp, Uuid } from '../../http/schemas.js'
import { ConsentAction } from '../consents/consents.schemas.js'
import { ownYoungPersonId } from '../../authz/own.js'
import { Role } from '../registry/registry.schemas.js'
import { consentIdsFor } from './access.js'
import { YoungPersonParams } from './pathway.schemas.js'
import * as queries from '../../authz/data/team.queries.js'

const TeamMember = Type.Object(
  {
    consentId: Uuid('The consent that puts them on the team'),
    kind: Type.Enum(['professional', 'agency'], { description: 'One named professional, or an agency (optionally one role in it)' }),
    professionalId: Nullable(Uuid('The professional, for a consent given to one person')),
    name: Nullable(Type.String({ description: 'The professional’s display name; null for an agency' })),
    role: Nullable(Role),
    agency: Type.Object(
      { id: Uuid('Agency id'), name: Type.String({ description: 'Agency name' }) },
      { additionalProperties: false, description: 'The agency they work for, or that holds the consent' },
    ),
    categories: Type.Array(Category, { description: 'The data categories the consent covers' }),
    actions: Type.Array(ConsentAction, { description: 'read and/or write' }),
    validUntil: Timestamp('Until when the consent holds, unless withdrawn earlier'),
  },
  { additionalProperties: false, title: 'TeamMember' },
)

const TeamQuery = Type.Object(PageQuery, { additionalProperties: false })
const Team = ListOf(TeamMember, 'Holders of active consent, most recent consent first', 'Team')

function presentMember(row: queries.TeamRow) {
  return {
    consentId: row.consentId,
    kind: row.professionalId === null ? ('agency' as const) : ('professional' as const),
    professionalId: row.professionalId,
    name: row.name,
    role: row.role as never,
    agency: { id: row.agencyId, name: row.agencyName },
    categories: row.categories as never,
    actions: row.actions as never,
    validUntil: row.validUntil,
  }
}

export const teamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  async function getTeam(request: FastifyRequest<{ Querystring: { limit?: number; cursor?: string } }>, reply: FastifyReply, youngPersonId: string) {
    const page = pageRequest(request.query)
    const audit = { action: 'read', resourceType: 'Team', category: 'pathway' }
    const rows = await withYoungPersonRead(db, request, youngPersonId, { action: 'read', subject: 'Pathway', audit }, async ({ tx, guard }) => ({
      value: await queries.listTeam(tx, youngPersonId, page, guard),
      audit: (scope) => [{ ...audit, youngPersonId, consentIds: consentIdsFor(scope, 'read', ['pathway']), outcome: 'allowed' }],
    }))
    return toPage(request, reply, page, rows, (r) => ({ at: r.createdAt, id: r.consentId }), presentMember)
  }

  app.get(
    '/young-persons/:id/team',
    {
      schema: {
        tags: ['pathway'],
        summary: 'The team: who holds active consent now (name, role, agency, categories, until when); for `pathway` readers',
        params: YoungPersonParams,
        querystring: TeamQuery,
        response: responses({ 200: Team }, 404),
      },
      config: { principalInStatement: true },
    },
    (request, reply) => getTeam(request, reply, request.params.id),
  )

  app.get(
    '/me/team',
    {
      schema: {
        tags: ['me'],
        summary: 'Your team: everyone who holds your active consent now',
        querystring: TeamQuery,
        response: responses({ 200: Team }, 403),
      },
    },
    (request, reply) => getTeam(request, reply, ownYoungPersonId(request.principal)),
  )
}
