import t from 'tap'
import { monthPeriod } from '../../src/modules/stats/period.js'

const TODAY = '2026-11-24'

t.test('months are counted whole, from the first day of the first to the last day of the last', async (t) => {
  t.same(monthPeriod('2026-03', '2026-04', TODAY), {
    from: '2026-03',
    to: '2026-04',
    firstDay: '2026-03-01',
    lastDay: '2026-04-30',
    months: ['2026-03', '2026-04'],
    snapped: false,
  })
  t.match(monthPeriod('2024-02', '2024-02', TODAY), { lastDay: '2024-02-29' }, 'leap years')
  t.same(monthPeriod('2025-11', '2026-02', TODAY).months, ['2025-11', '2025-12', '2026-01', '2026-02'], 'across a new year')
})

t.test('a day is widened to its month, and the period says so', async (t) => {
  t.match(monthPeriod('2026-03-15', '2026-04-10', TODAY), { from: '2026-03', to: '2026-04', firstDay: '2026-03-01', lastDay: '2026-04-30', snapped: true })
  t.same(monthPeriod('2026-03-10', '2026-03-20', TODAY), monthPeriod('2026-03-12', '2026-03-25', TODAY), 'overlapping day ranges in one month are the same period')
})

t.test('the running month, reversed and overlong periods are refused', async (t) => {
  t.throws(() => monthPeriod('2026-10', '2026-11', TODAY), { statusCode: 400, message: 'to must be a month that has ended; the latest is 2026-10' })
  t.throws(() => monthPeriod('2026-01', '2027-01', TODAY), { statusCode: 400, message: 'to must be a month that has ended; the latest is 2026-10' })
  t.same(monthPeriod('2026-10', '2026-10', TODAY).months, ['2026-10'], 'the month just ended is published')
  t.throws(() => monthPeriod('2026-01', '2026-01', '2026-01-01'), { message: 'to must be a month that has ended; the latest is 2025-12' })
  t.throws(() => monthPeriod('2026-04', '2026-03', TODAY), { statusCode: 400, message: 'from (2026-04) must not be after to (2026-03)' })
  t.throws(() => monthPeriod('2016-01', '2026-01', TODAY), { statusCode: 400, message: 'a period spans at most 120 months, this one 121' })
  t.equal(monthPeriod('2016-02', '2026-01', TODAY).months.length, 120)
})
