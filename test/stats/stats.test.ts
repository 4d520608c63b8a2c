import t from 'tap'
import { goals, pathways, referrals } from '../../src/db/schema/index.js'
import type { CountTable } from '../../src/modules/stats/suppression.js'
import { centreToday } from '../../src/modules/visits/visits.service.js'
import { createAdmin, createAgency, createAuditor, createCentre, createProfessional } from '../factories.js'
import { build } from '../helper.js'
import { linearlyDerivable } from './attacker.js'
import { insertYoungPerson, partnerHeaders } from './fixtures.js'

interface Published {
  key: Record<string, string>
  count: number | null
  suppressed: boolean
}

t.test('visit statistics', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { kind: 'youth_work' })
  const pro = await createProfessional(app, admin, { agencyId: agency.id })
  const centreA = await createCentre(app, admin, 'Ohjaamo A')
  const centreB = await createCentre(app, admin, 'Ohjaamo B')

  const tally = (n: number, date: string, centreId: string, channel: string, ageBand: string, topics: string[]) =>
    Array.from({ length: n }, () => ({ date, centreId, channel, ageBand, topics }))
  const visits = [
    ...tally(20, '2026-03-02', centreA.id, 'walk_in', '18_24', ['work']),
    ...tally(12, '2026-03-14', centreA.id, 'phone', '25_29', ['benefits', 'housing']),
    ...tally(3, '2026-03-16', centreA.id, 'chat', '15_17', ['wellbeing']),
    ...tally(7, '2026-03-31', centreA.id, 'event', '18_24', ['studies', 'work']),
    ...tally(6, '2026-03-20', centreB.id, 'walk_in', '18_24', ['housing']),
    ...tally(18, '2026-04-28', centreA.id, 'walk_in', '18_24', ['work']),
    ...tally(3, '2026-04-01', centreB.id, 'walk_in', '25_29', ['health']),
  ]
  const stored = await app.inject({ method: 'POST', url: '/v1/visits/batch', headers: pro.headers, payload: { visits } })
  t.equal(stored.statusCode, 201)
  // Visits just outside the months asked for, which must not move any figure.
  await app.inject({ method: 'POST', url: '/v1/visits/batch', headers: pro.headers, payload: { visits: [
    ...tally(2, '2026-02-28', centreA.id, 'chat', '15_17', ['health']),
    ...tally(2, '2026-05-01', centreA.id, 'chat', '15_17', ['health']),
  ] } })

  const stats = async (query: string, headers = pro.headers) => {
    const res = await app.inject({ method: 'GET', url: `/v1/stats/visits?${query}`, headers })
    t.equal(res.statusCode, 200, `${query}: ${res.body}`)
    return res.json()
  }

  t.test('counts by channel: small counts are null, the total stands', async (t) => {
    const body = await stats('from=2026-03&to=2026-03&groupBy=channel')
    t.same(body.period, { from: '2026-03', to: '2026-03', firstDay: '2026-03-01', lastDay: '2026-03-31', snapped: false })
    t.same(body.groupBy, ['channel'])
    t.same(body.multiValued, [])
    t.equal(body.k, 5)
    t.same(body.total, { count: 48, suppressed: false })
    const shown = Object.fromEntries((body.cells as Published[]).map((c) => [c.key.channel, c.count]))
    t.same(shown, { walk_in: 26, phone: 12, chat: null, outreach: null, event: 7, school_visit: null, online: null })
    t.same(body.margins, {})
    t.notOk('centres' in body)
  })

  t.test('a two-way table: a lone small cell is protected by a rectangle of complements, margins stay', async (t) => {
    const body = await stats('from=2026-03&to=2026-04&groupBy=month,centre')
    const cell = (month: string, centre: string) => (body.cells as Published[]).find((c) => c.key.month === month && c.key.centre === centre)!
    // April at B is 3: without the other three, April's margin minus April at A would give it away.
    for (const [month, centre] of [['2026-03', centreA.id], ['2026-03', centreB.id], ['2026-04', centreA.id], ['2026-04', centreB.id]]) {
      t.same(cell(month!, centre!), { key: { month, centre }, count: null, suppressed: true })
    }
    t.same(body.margins.month, [
      { key: { month: '2026-03' }, count: 48, suppressed: false },
      { key: { month: '2026-04' }, count: 21, suppressed: false },
    ])
    t.same(body.margins.centre, [
      { key: { centre: centreA.id }, count: 60, suppressed: false },
      { key: { centre: centreB.id }, count: 9, suppressed: false },
    ])
    t.same(body.total, { count: 69, suppressed: false })
    t.same(body.centres, [
      { id: centreA.id, name: 'Ohjaamo A', municipality: 'Tampere' },
      { id: centreB.id, name: 'Ohjaamo B', municipality: 'Tampere' },
    ])
  })

  t.test('recomputing a suppressed cell from the margins and the total fails', async (t) => {
    const truth = new Map<string, number>()
    for (const v of visits) {
      const month = v.date.slice(0, 7)
      for (const key of [`${month}|${v.channel}`, `${month}|${v.ageBand}`, `${v.channel}|${v.ageBand}`]) truth.set(key, (truth.get(key) ?? 0) + 1)
    }
    for (const groupBy of ['month,channel', 'month,ageBand', 'channel,ageBand', 'month,centre']) {
      const body = await stats(`from=2026-03&to=2026-04&groupBy=${groupBy}`)
      const [a, b] = body.groupBy as [string, string]
      const cells = body.cells as Published[]
      const relations: { parent: Published | { count: number | null; suppressed: boolean }; children: Published[] }[] = [
        ...(body.margins[a] as Published[]).map((m) => ({ parent: m, children: cells.filter((c) => c.key[a] === m.key[a]) })),
        ...(body.margins[b] as Published[]).map((m) => ({ parent: m, children: cells.filter((c) => c.key[b] === m.key[b]) })),
        { parent: body.total, children: body.margins[a] },
        { parent: body.total, children: body.margins[b] },
      ]
      for (const { parent, children } of relations) {
        if (parent.suppressed) continue
        const hidden = children.filter((c) => c.suppressed)
        const residue = parent.count! - children.reduce((s, c) => s + (c.count ?? 0), 0)
        if (hidden.length === 1) t.equal(residue, 0, `${groupBy}: a lone suppressed count can only be worked out as 0`)
      }
      // The strongest linear attack: every published value and every relation at once.
      const entries: Published[] = [body.total, ...body.margins[a], ...body.margins[b], ...cells]
      const index = new Map(entries.map((e, i) => [e, i]))
      const table: CountTable = {
        counts: entries.map((e) => e.count ?? 0),
        relations: relations.map((r) => ({ parent: index.get(r.parent as Published)!, children: r.children.map((c) => index.get(c)!) })),
      }
      const derivable = linearlyDerivable(table, entries.map((e) => e.suppressed))
      const exposed = [...derivable].filter((i) => {
        const key = entries[i]!.key ?? {}
        const value = truth.get(`${key[a]}|${key[b]}`)
        return value !== undefined && value > 0 && value < 5
      })
      t.same(exposed, [], `${groupBy}: no suppressed count between 1 and 4 follows from the published ones`)
    }
  })

  t.test('topics are multi-valued: a visit counts under each of its topics, so they do not add up', async (t) => {
    const body = await stats('from=2026-03&to=2026-03&groupBy=topic')
    t.same(body.multiValued, ['topic'])
    const shown = Object.fromEntries((body.cells as Published[]).filter((c) => !c.suppressed).map((c) => [c.key.topic, c.count]))
    t.same(shown, { studies: 7, work: 27, benefits: 12, housing: 18 })
    t.ok((body.cells as Published[]).find((c) => c.key.topic === 'wellbeing')!.suppressed)
    t.same(body.total, { count: 48, suppressed: false })
  })

  t.test('periods are whole months: days are widened, and overlapping requests differ by whole months only', async (t) => {
    const days = await stats('from=2026-03-15&to=2026-04-10&groupBy=channel')
    t.same(days.period, { from: '2026-03', to: '2026-04', firstDay: '2026-03-01', lastDay: '2026-04-30', snapped: true })
    t.same(days, { ...(await stats('from=2026-03&to=2026-04&groupBy=channel')), period: days.period })
    t.equal(days.total.count, 69, 'every visit of March and April, not only those between the 15th and the 10th')

    // Two overlapping day ranges inside March are the same month, hence the same figures: nothing to subtract.
    const first = await stats('from=2026-03-10&to=2026-03-20&groupBy=ageBand')
    const second = await stats('from=2026-03-12&to=2026-03-25&groupBy=ageBand')
    t.same(first, second)
    const march = await stats('from=2026-03&to=2026-03')
    const both = await stats('from=2026-03&to=2026-04')
    t.equal(both.total.count - march.total.count, 21, 'the difference of two periods is a whole month (April)')
    t.same(march.cells, [])
  })

  t.test('the running month is not published; bad periods and groupings are 400', async (t) => {
    const running = centreToday().slice(0, 7)
    for (const query of [
      `from=2026-01&to=${running}`,
      'from=2026-04&to=2026-03',
      'from=2026-3&to=2026-04',
      'from=2026-03',
      'from=2016-01&to=2026-02',
      'from=2026-03&to=2026-04&groupBy=topic,topic',
      'from=2026-03&to=2026-04&groupBy=topic,channel,ageBand',
      'from=2026-03&to=2026-04&groupBy=name',
      'from=2026-03&to=2026-04&youngPersonId=1',
    ]) {
      const res = await app.inject({ method: 'GET', url: `/v1/stats/visits?${query}`, headers: pro.headers })
      t.equal(res.statusCode, 400, query)
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    }
    const res = await app.inject({ method: 'GET', url: `/v1/stats/visits?from=2026-01&to=${running}`, headers: pro.headers })
    t.match(res.json().detail, /^to must be a month that has ended; the latest is \d{4}-\d{2}$/)
  })

  t.test('pathway statistics count across all young persons, with the same protection', async (t) => {
    const people = []
    for (let i = 0; i < 10; i++) people.push(await insertYoungPerson(app, `Person${i}`, 'Testinen'))
    const statuses = ['active', 'active', 'active', 'active', 'active', 'active', 'active', 'paused', 'paused', 'closed'] as const
    await app.database.db.insert(goals).values(
      people.flatMap((p, i) => [
        { youngPersonId: p.id, title: 'Find a flat', category: 'housing', status: i < 6 ? ('open' as const) : ('achieved' as const) },
        { youngPersonId: p.id, title: 'Apply to college', category: null, status: 'in_progress' as const },
      ]),
    )
    // Goals first: a closed pathway is read-only. It carries when and why it was closed (the database refuses one without).
    const closing = (status: string) => (status === 'closed' ? { closedAt: new Date(), closeReason: 'goals_reached' as const } : {})
    await app.database.db.insert(pathways).values(people.map((p, i) => ({ youngPersonId: p.id, status: statuses[i]!, summary: 'private summary', ...closing(statuses[i]!) })))
    const body = (await app.inject({ method: 'GET', url: '/v1/stats/pathways', headers: pro.headers })).json()
    t.equal(body.k, 5)
    t.same(body.pathways.groupBy, ['status'])
    t.same(body.pathways.cells, [
      { key: { status: 'active' }, count: 7, suppressed: false },
      { key: { status: 'paused' }, count: null, suppressed: true },
      { key: { status: 'closed' }, count: null, suppressed: true },
    ])
    t.same(body.pathways.total, { count: 10, suppressed: false })
    t.same(body.goals.groupBy, ['category', 'status'])
    t.same(body.goals.total, { count: 20, suppressed: false })
    const goal = (category: string, status: string) => (body.goals.cells as Published[]).find((c) => c.key.category === category && c.key.status === status)
    t.same(goal('none', 'in_progress'), { key: { category: 'none', status: 'in_progress' }, count: 10, suppressed: false })
    t.equal(goal('housing', 'open')!.count, 6)
    t.equal(goal('housing', 'achieved')!.suppressed, true, '4 achieved goals are too few to show')
    t.same(body.referrals.groupBy, ['status', 'agencyKind'])
    t.same(body.referrals.total, { count: null, suppressed: true }, 'no referrals: 0 is below k too')
  })

  t.test("no statistics route ever returns a young person's id or name", async (t) => {
    const canary = await insertYoungPerson(app, 'Kanarialintu', 'Zyxwvutsson')
    await app.database.db.insert(pathways).values({ youngPersonId: canary.id, summary: 'Kanarialintu needs a flat' })
    await app.database.db.insert(goals).values({ youngPersonId: canary.id, title: 'Kanarialintu moves out', category: 'housing' })
    const expiresAt = new Date(Date.now() + 86_400_000)
    await app.database.db.insert(referrals).values(
      Array.from({ length: 6 }, () => ({
        youngPersonId: canary.id,
        fromProfessionalId: pro.id,
        toAgencyId: agency.id,
        reason: 'Kanarialintu Zyxwvutsson asked for help',
        outcome: 'Kanarialintu got a place',
        categories: ['housing'],
        status: 'completed' as const,
        expiresAt,
      })),
    )
    const bodies = [(await app.inject({ method: 'GET', url: '/v1/stats/pathways', headers: pro.headers })).body]
    for (const groupBy of ['', 'topic', 'centre', 'month', 'ageBand,channel', 'topic,centre', 'month,centre']) {
      bodies.push((await app.inject({ method: 'GET', url: `/v1/stats/visits?from=2026-01&to=2026-04&groupBy=${groupBy}`, headers: pro.headers })).body)
    }
    for (const body of bodies) {
      t.notOk(body.includes(canary.id), 'no young person id')
      t.notOk(/Kanarialintu|Zyxwvutsson|kanarialintu@example/i.test(body), 'no name, text or contact')
    }
    const referralTable = JSON.parse(bodies[0]!).referrals
    t.same(
      (referralTable.cells as Published[]).find((c) => c.key.status === 'completed' && c.key.agencyKind === 'youth_work'),
      { key: { status: 'completed', agencyKind: 'youth_work' }, count: 6, suppressed: false },
      'referrals are counted by status and kind of agency, never by their free-text outcome',
    )
  })

  t.test('who may read statistics', async (t) => {
    const auditor = await createAuditor(app)
    const person = await insertYoungPerson(app, 'Aada', 'Testinen')
    const reader = await partnerHeaders(app, admin, agency.id, ['stats:read'])
    const writer = await partnerHeaders(app, admin, agency.id, ['visits:write'])
    for (const url of ['/v1/stats/visits?from=2026-03&to=2026-03', '/v1/stats/pathways']) {
      for (const [who, headers, status] of [
        ['professional', pro.headers, 200],
        ['admin', admin.headers, 200],
        ['partner with stats:read', reader, 200],
        ['partner without stats:read', writer, 403],
        ['auditor', auditor.headers, 403],
        ['young person', person.headers, 403],
      ] as const) {
        const res = await app.inject({ method: 'GET', url, headers })
        t.equal(res.statusCode, status, `${who}: ${url}`)
        if (status === 403) t.equal(res.json().code, 'POLKU_FORBIDDEN')
      }
    }
    t.equal((await app.inject({ method: 'GET', url: '/v1/stats/pathways' })).statusCode, 401)
  })
})
