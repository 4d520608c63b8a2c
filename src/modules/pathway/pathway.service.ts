// The pathway as one caller may see it, and how goals, steps and pathways are presented.
import type { SQL } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import { type AppAbility, accessibleWhere, type PersonScope } from '../../authz/index.js'
import type { Tx } from '../../db/client.js'
import type { AuditInput } from '../audit/audit.writer.js'
import { retentionOf } from '../retention/retention.presenters.js'
import { categoryOf, consentIdsFor } from './access.js'
import { etagOf } from './etag.js'
import * as queries from '../../authz/data/pathway.queries.js'
import type * as s from './pathway.schemas.js'

export function presentStep(row: queries.StepRow): Static<typeof s.Step> {
  return {
    id: row.id,
    goalId: row.goalId,
    youngPersonId: row.youngPersonId,
    title: row.title,
    owner: row.ownerProfessionalId === null ? null : { professionalId: row.ownerProfessionalId, name: row.ownerName ?? '' },
    dueDate: row.dueDate,
    status: row.status,
    version: row.version,
    etag: etagOf(row.id, row.version),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

export function presentGoal(row: queries.GoalRow, steps: queries.StepRow[]): Static<typeof s.Goal> {
  return {
    ...row,
    category: row.category as Static<typeof s.Goal>['category'],
    etag: etagOf(row.id, row.version),
    steps: steps.filter((step) => step.goalId === row.id).map(presentStep),
  }
}

export function presentPathway(
  youngPersonId: string,
  row: queries.PathwayRow | undefined,
  goals: Static<typeof s.Goal>[],
  retention: Static<typeof s.Pathway>['retention'],
): Static<typeof s.Pathway> {
  const version = row?.version ?? 0
  return {
    youngPersonId,
    status: row?.status ?? 'active',
    summary: row?.summary ?? '',
    version,
    // The pathway is addressed by its young person, so its ETag names them.
    etag: etagOf(youngPersonId, version),
    updatedAt: row?.updatedAt ?? null,
    goals,
    closure: row?.closedAt && row.closeReason ? { closedAt: row.closedAt, reason: row.closeReason } : null,
    retention,
  }
}

/** Goals and steps of the young person that the caller may read, chosen in SQL by the ability. */
export async function visibleGoals(tx: Tx, request: FastifyRequest, ability: AppAbility, youngPersonId: string) {
  // Sent together: one round trip on the request's connection.
  const [goals, steps] = await Promise.all([
    queries.listGoals(tx, youngPersonId, accessibleWhere(ability, request.principal, 'read', 'Goal')),
    queries.listSteps(tx, { youngPersonId }, accessibleWhere(ability, request.principal, 'read', 'Step')),
  ])
  return goals.map((goal) => presentGoal(goal, steps))
}

/**
 * The whole pathway view as `ability` lets the caller see it, and the audit events of reading it: one per
 * category it showed, naming the consents in `scope`. Nothing where `guard` (the door's check, in SQL) is false.
 */
export async function readPathway(tx: Tx, request: FastifyRequest, ability: AppAbility, youngPersonId: string, guard?: SQL): Promise<PathwayRead | undefined> {
  // The pathway, its goals and steps, and its retention are read together: one round trip.
  const [row, goals, retention] = await Promise.all([
    queries.findPathway(tx, youngPersonId, guard),
    visibleGoals(tx, request, ability, youngPersonId),
    retentionOf(tx, request.server.config.retention, youngPersonId, guard),
  ])
  if (retention === null) return undefined
  const categories = [...new Set(goals.map((g) => g.category).filter((c): c is NonNullable<typeof c> => c !== null && c !== 'pathway'))].sort()
  const events = (scope: PersonScope): AuditInput[] => [
    { action: 'read', resourceType: 'Pathway', resourceId: row?.id ?? null, youngPersonId, category: 'pathway', consentIds: consentIdsFor(scope, 'read', ['pathway']), outcome: 'allowed' },
    ...categories.map((category) => ({
      action: 'read',
      resourceType: 'Goal',
      youngPersonId,
      category,
      consentIds: consentIdsFor(scope, 'read', ['pathway', category]),
      outcome: 'allowed' as const,
    })),
  ]
  return { view: presentPathway(youngPersonId, row, goals, retention), events }
}

export interface PathwayRead {
  view: Static<typeof s.Pathway>
  events: (scope: PersonScope) => AuditInput[]
}

/** `readPathway` inside a door that already allowed the caller in (a write, the export): the events name the consents of `scope`. */
export async function readPathwayAllowed(tx: Tx, request: FastifyRequest, scope: PersonScope, youngPersonId: string): Promise<{ view: Static<typeof s.Pathway>; events: AuditInput[] }> {
  const read = await readPathway(tx, request, scope.ability, youngPersonId)
  if (!read) throw new Error('the door let the caller in to a pathway without its young person')
  return { view: read.view, events: read.events(scope) }
}

/** The audit entry of a write to a goal or step. */
export function writeEvent(scope: PersonScope, input: { action: string; resourceType: 'Goal' | 'Step'; resourceId: string | null; youngPersonId: string; category: string | null }, outcome: 'allowed' | 'denied'): AuditInput {
  const category = categoryOf(input.category)
  return {
    ...input,
    category,
    consentIds: outcome === 'allowed' ? consentIdsFor(scope, 'write', ['pathway', category]) : [],
    outcome,
  }
}
