// SQL of pathways, goals and steps. Authorization conditions come from src/authz; versions guard every update.
import { type AnyColumn, and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm'
import { activeConsent } from '../sql.js'
import { type Queryable, queryRows } from '../../db/client.js'
import { goals, pathways, steps } from '../../db/schema/pathway.js'
import { professionals } from '../../db/schema/registry.js'
import { consents } from '../../db/schema/young-persons.js'

/** Versions an update may apply to: those If-Match named, or any (`*`). */
export type Versions = number[] | '*'

const versionIs = (column: AnyColumn, versions: Versions): SQL | undefined =>
  versions === '*' ? undefined : versions.length === 0 ? sql`false` : inArray(column, versions)

/** The version moves in the UPDATE itself, so two writers holding the same ETag cannot both succeed. */
const bump = (version: AnyColumn) => ({ version: sql`${version} + 1`, updatedAt: sql`now()` })

export async function findPathway(q: Queryable, youngPersonId: string, guard: SQL = sql`true`) {
  const [row] = await q.select().from(pathways).where(and(eq(pathways.youngPersonId, youngPersonId), guard))
  return row
}

export type PathwayRow = NonNullable<Awaited<ReturnType<typeof findPathway>>>
type PathwayChange = { status?: PathwayRow['status']; summary?: string }

/**
 * Writes status/summary. Version 0 stands for "never written": the row is created then, and a
 * concurrent creator makes the insert a no-op, which the caller reports as 412.
 */
export async function writePathway(q: Queryable, youngPersonId: string, change: PathwayChange, versions: Versions): Promise<PathwayRow | undefined> {
  const existing = await findPathway(q, youngPersonId)
  if (!existing) {
    if (versions !== '*' && !versions.includes(0)) return undefined
    const [row] = await q.insert(pathways).values({ youngPersonId, ...change }).onConflictDoNothing().returning()
    return row
  }
  const [row] = await q
    .update(pathways)
    .set({ ...change, ...bump(pathways.version) })
    .where(and(eq(pathways.id, existing.id), versionIs(pathways.version, versions)))
    .returning()
  return row
}

const goalColumns = {
  id: goals.id,
  youngPersonId: goals.youngPersonId,
  title: goals.title,
  category: goals.category,
  status: goals.status,
  targetDate: goals.targetDate,
  createdByProfessionalId: goals.createdByProfessionalId,
  version: goals.version,
  createdAt: goals.createdAt,
  updatedAt: goals.updatedAt,
}

export async function listGoals(q: Queryable, youngPersonId: string, allowed: SQL) {
  return q
    .select(goalColumns)
    .from(goals)
    .where(and(eq(goals.youngPersonId, youngPersonId), allowed))
    .orderBy(asc(goals.createdAt), asc(goals.id))
}

export async function findGoal(q: Queryable, id: string) {
  const [row] = await q.select(goalColumns).from(goals).where(eq(goals.id, id))
  return row
}

export type GoalRow = NonNullable<Awaited<ReturnType<typeof findGoal>>>
export type NewGoal = Pick<GoalRow, 'youngPersonId' | 'title' | 'createdByProfessionalId'> & Partial<Pick<GoalRow, 'category' | 'status' | 'targetDate'>>
export type GoalChange = Partial<Pick<GoalRow, 'title' | 'category' | 'status' | 'targetDate'>>

export async function insertGoal(q: Queryable, goal: NewGoal): Promise<GoalRow> {
  const [row] = await q.insert(goals).values(goal).returning(goalColumns)
  return row!
}

/** Changes a goal if its version matches; a new category moves its steps along, in the same transaction. */
export async function updateGoal(q: Queryable, id: string, change: GoalChange, versions: Versions): Promise<GoalRow | undefined> {
  const [row] = await q
    .update(goals)
    .set({ ...change, ...bump(goals.version) })
    .where(and(eq(goals.id, id), versionIs(goals.version, versions)))
    .returning(goalColumns)
  if (row && change.category !== undefined) await q.update(steps).set({ goalCategory: row.category }).where(eq(steps.goalId, id))
  return row
}

const stepColumns = {
  id: steps.id,
  goalId: steps.goalId,
  youngPersonId: steps.youngPersonId,
  goalCategory: steps.goalCategory,
  title: steps.title,
  ownerProfessionalId: steps.ownerProfessionalId,
  ownerName: sql<string | null>`(select p.display_name from ${professionals} p where p.id = ${sql.identifier('steps')}.${sql.identifier('owner_professional_id')})`,
  dueDate: steps.dueDate,
  status: steps.status,
  version: steps.version,
  createdAt: steps.createdAt,
  updatedAt: steps.updatedAt,
}

export type StepRow = NonNullable<Awaited<ReturnType<typeof findStep>>>
export type NewStep = Pick<StepRow, 'goalId' | 'youngPersonId' | 'goalCategory' | 'title'> & Partial<Pick<StepRow, 'ownerProfessionalId' | 'dueDate' | 'status'>>
export type StepChange = Partial<Pick<StepRow, 'title' | 'ownerProfessionalId' | 'dueDate' | 'status'>>

/** Steps of one young person (or of one goal) that `allowed` admits, oldest first. */
export async function listSteps(q: Queryable, scope: { youngPersonId: string } | { goalId: string }, allowed: SQL) {
  const owner = 'goalId' in scope ? eq(steps.goalId, scope.goalId) : eq(steps.youngPersonId, scope.youngPersonId)
  return q
    .select(stepColumns)
    .from(steps)
    .where(and(owner, allowed))
    .orderBy(asc(steps.createdAt), asc(steps.id))
}

export async function findStep(q: Queryable, id: string) {
  const [row] = await q.select(stepColumns).from(steps).where(eq(steps.id, id))
  return row
}

export async function insertStep(q: Queryable, step: NewStep): Promise<StepRow> {
  const [row] = await q.insert(steps).values(step).returning({ id: steps.id })
  return (await findStep(q, row!.id))!
}

export async function updateStep(q: Queryable, id: string, change: StepChange, versions: Versions): Promise<StepRow | undefined> {
  const [row] = await q
    .update(steps)
    .set({ ...change, ...bump(steps.version) })
    .where(and(eq(steps.id, id), versionIs(steps.version, versions)))
    .returning({ id: steps.id })
  return row ? findStep(q, row.id) : undefined
}

/** Whether `professionalId` is on the young person's team: holds, directly or through their agency, an active `pathway` read consent. */
export async function onTeam(q: Queryable, youngPersonId: string, professionalId: string): Promise<boolean> {
  const [row] = await q
    .select({ id: consents.id })
    .from(consents)
    .innerJoin(professionals, eq(professionals.id, professionalId))
    .where(
      and(
        eq(consents.youngPersonId, youngPersonId),
        activeConsent,
        sql`'pathway' = any(${consents.categories}) and 'read' = any(${consents.actions})`,
        sql`(${consents.granteeProfessionalId} = ${professionals.id} or (${consents.granteeAgencyId} = ${professionals.agencyId} and (${consents.granteeRole} is null or ${consents.granteeRole} = ${professionals.role})))`,
      ),
    )
    .limit(1)
  return row !== undefined
}

/** Closes the pathway (creating it closed when there is none yet); its id and the closing time. */
export async function closePathwayRow(q: Queryable, youngPersonId: string, reason: string): Promise<{ id: string; closed_at: string }> {
  const [row] = await queryRows<{ id: string; closed_at: string }>(
    q,
    sql`insert into pathways (young_person_id, status, closed_at, close_reason) values (${youngPersonId}, 'closed', now(), ${reason})
      on conflict (young_person_id) do update set status = 'closed', closed_at = now(), close_reason = excluded.close_reason, version = pathways.version + 1, updated_at = now()
      returning id, closed_at`,
  )
  return row!
}

export async function reopenPathwayRow(q: Queryable, pathwayId: string): Promise<void> {
  await q.execute(sql`update pathways set status = 'active', closed_at = null, close_reason = null, version = version + 1, updated_at = now() where id = ${pathwayId}`)
}

/** Partner systems acting for an agency that holds an agency-wide `pathway` consent: those told about the pathway. */
export async function pathwayPartnerAgencies(q: Queryable, youngPersonId: string): Promise<string[]> {
  const rows = await queryRows<{ agency_id: string }>(
    q,
    sql`select distinct grantee_agency_id as agency_id from consents
      where young_person_id = ${youngPersonId} and grantee_agency_id is not null and grantee_role is null and 'pathway' = any(categories) and ${activeConsent}`,
  )
  return rows.map((r) => r.agency_id)
}
