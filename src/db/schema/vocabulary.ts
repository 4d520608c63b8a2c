// Values that name no one: the states pathways, goals and referrals move through, shared by the schema, the API and the statistics.
export const PATHWAY_STATUSES = ['active', 'paused', 'closed'] as const
export type PathwayStatus = (typeof PATHWAY_STATUSES)[number]

export const GOAL_STATUSES = ['open', 'in_progress', 'achieved', 'dropped'] as const
export type GoalStatus = (typeof GOAL_STATUSES)[number]

export const REFERRAL_STATUSES = [
  'awaiting_consent',
  'pending',
  'accepted',
  'declined',
  'completed',
  'withdrawn',
  'expired',
] as const
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number]
