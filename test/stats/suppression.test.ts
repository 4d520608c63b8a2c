import fc from 'fast-check'
import t from 'tap'
import { suppress } from '../../src/modules/stats/suppression.js'
import { type Dimension, type GroupedCount, protectTable, tableStructure } from '../../src/modules/stats/tables.js'
import { feasibleValues, linearlyDerivable } from './attacker.js'

const K = 5

/** A consistent one- or two-way table: cell counts, then margins and total as real data would give them. */
const tables = fc
  .record({
    sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }),
    multi: fc.integer({ min: -1, max: 1 }),
    seed: fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 30 })), { minLength: 16, maxLength: 16 }),
    overlap: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
  })
  .map(({ sizes, multi, seed, overlap }) => {
    const dims: Dimension[] = sizes.map((n, d) => ({
      name: `d${d}`,
      values: Array.from({ length: n }, (_, i) => `v${i}`),
      multiValued: d === multi,
    }))
    const cell = (i: number, j = 0) => seed[(i * 4 + j) % seed.length]!
    // Summing over a multi-valued dimension counts a record once although it has several values.
    const over = (values: number[], multiValued: boolean, o: number) => {
      const sum = values.reduce((s, v) => s + v, 0)
      return multiValued ? Math.max(...values) + Math.round((sum - Math.max(...values)) * o) : sum
    }
    const rows: GroupedCount[] = []
    if (dims.length === 1) {
      const values = dims[0]!.values.map((_, i) => cell(i))
      for (const [i, n] of values.entries()) rows.push({ keys: [`v${i}`], count: n })
      rows.push({ keys: [null], count: over(values, dims[0]!.multiValued, overlap[0]!) })
    } else {
      const [a, b] = dims as [Dimension, Dimension]
      const grid = a.values.map((_, i) => b.values.map((_, j) => cell(i, j)))
      for (const [i, row] of grid.entries()) for (const [j, n] of row.entries()) rows.push({ keys: [`v${i}`, `v${j}`], count: n })
      const marginA = grid.map((row, i) => over(row, b.multiValued, overlap[i % 5]!))
      const marginB = b.values.map((_, j) => over(grid.map((row) => row[j]!), a.multiValued, overlap[j % 5]!))
      for (const [i, n] of marginA.entries()) rows.push({ keys: [`v${i}`, null], count: n })
      for (const [j, n] of marginB.entries()) rows.push({ keys: [null, `v${j}`], count: n })
      const total = a.multiValued ? over(marginB, false, 0) : over(marginA, false, 0)
      rows.push({ keys: [null, null], count: total })
    }
    return { dims, rows }
  })

t.test('a one-way table: a lone small cell takes the smallest other cell with it, the total stays', async (t) => {
  const table = { counts: [53, 30, 3, 20], relations: [{ parent: 0, children: [1, 2, 3] }] }
  t.same(suppress(table, K), [false, false, true, true])
})

t.test('two small cells that would add up to a unique split are protected by a third', async (t) => {
  // 4 + 4 = 8 can only be 4 + 4 when each is below 5.
  const table = { counts: [28, 4, 4, 20], relations: [{ parent: 0, children: [1, 2, 3] }] }
  t.same(suppress(table, K), [false, true, true, true])
})

t.test('small cells that cannot be told apart need no complement', async (t) => {
  const table = { counts: [52, 30, 12, 3, 0, 6, 0, 1], relations: [{ parent: 0, children: [1, 2, 3, 4, 5, 6, 7] }] }
  t.same(suppress(table, K), [false, false, false, true, true, false, true, true])
})

t.test('a multi-valued dimension has no relation to its total, so only small cells go', async (t) => {
  const dims = [{ name: 'topic', values: ['a', 'b', 'c'], multiValued: true }]
  const out = protectTable<{ topic: string }>(dims, [
    { keys: ['a'], count: 3 },
    { keys: ['b'], count: 40 },
    { keys: ['c'], count: 9 },
    { keys: [null], count: 44 },
  ], K)
  t.same(out.cells, [
    { key: { topic: 'a' }, count: null, suppressed: true },
    { key: { topic: 'b' }, count: 40, suppressed: false },
    { key: { topic: 'c' }, count: 9, suppressed: false },
  ])
  t.same(out.total, { count: 44, suppressed: false })
})

t.test('a two-way table protects a small cell across its row and its column', async (t) => {
  const dims: Dimension[] = [
    { name: 'channel', values: ['walk_in', 'phone'], multiValued: false },
    { name: 'ageBand', values: ['15_17', '18_24', '25_29'], multiValued: false },
  ]
  const grid = [
    [2, 30, 20],
    [10, 25, 40],
  ]
  const rows: GroupedCount[] = []
  for (const [i, r] of grid.entries()) {
    for (const [j, n] of r.entries()) rows.push({ keys: [dims[0]!.values[i]!, dims[1]!.values[j]!], count: n })
    rows.push({ keys: [dims[0]!.values[i]!, null], count: r.reduce((s, n) => s + n, 0) })
  }
  for (const [j, v] of dims[1]!.values.entries()) rows.push({ keys: [null, v], count: grid[0]![j]! + grid[1]![j]! })
  rows.push({ keys: [null, null], count: 127 })
  const out = protectTable<Record<string, string>>(dims, rows, K)
  const hidden = out.cells.filter((c) => c.suppressed).map((c) => `${c.key.channel}/${c.key.ageBand}`)
  // The hypercube: the small cell, one more in its row and column, and the corner that closes the rectangle.
  t.same(hidden.sort(), ['phone/15_17', 'phone/25_29', 'walk_in/15_17', 'walk_in/25_29'])
  t.same(out.total, { count: 127, suppressed: false })
  t.ok(Object.values(out.margins).flat().every((m) => !m.suppressed), 'the margins stay published')
})

t.test('property: every count below k is suppressed', async () => {
  fc.assert(
    fc.property(tables, ({ dims, rows }) => {
      const table = tableStructure(dims, rows)
      const hidden = suppress(table, K)
      return table.counts.every((n, i) => n >= K || hidden[i])
    }),
  )
})

t.test('property: a margin minus its published cells never equals one suppressed small count', async () => {
  fc.assert(
    fc.property(tables, ({ dims, rows }) => {
      const table = tableStructure(dims, rows)
      const hidden = suppress(table, K)
      return table.relations.every(({ parent, children }) => {
        if (hidden[parent]) return true
        const lone = children.filter((c) => hidden[c])
        if (lone.length !== 1) return true
        const residue = table.counts[parent]! - children.filter((c) => !hidden[c]).reduce((s, c) => s + table.counts[c]!, 0)
        return !(residue === table.counts[lone[0]!]! && residue >= 1 && residue < K)
      })
    }),
    { numRuns: 500 },
  )
})

t.test('property: no suppressed small count follows from the table by linear algebra', async () => {
  fc.assert(
    fc.property(tables, ({ dims, rows }) => {
      const table = tableStructure(dims, rows)
      const hidden = suppress(table, K)
      const derivable = linearlyDerivable(table, hidden)
      return [...derivable].every((i) => table.counts[i] === 0 || table.counts[i]! >= K)
    }),
    { numRuns: 500 },
  )
})

t.test('property: an exhaustive search over all tables consistent with the published values leaves every small count open', async () => {
  fc.assert(
    fc.property(tables, ({ dims, rows }) => {
      const table = tableStructure(dims, rows)
      const hidden = suppress(table, K)
      const unknown = hidden.filter(Boolean).length
      const big = table.counts.filter((n, i) => hidden[i] && n >= K).length
      fc.pre(unknown <= 8 && big <= 2)
      const cap = Math.max(...table.counts) * 2 + K
      const feasible = feasibleValues(table, hidden, K, cap)
      return [...feasible].every(([i, values]) => table.counts[i] === 0 || table.counts[i]! >= K || values.size > 1)
    }),
    { numRuns: 300 },
  )
})
