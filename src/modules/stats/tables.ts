// One- and two-way count tables: lay out cells, margins and total with their additive relations, then protect them.
import { type CountTable, type Relation, suppress } from './suppression.js'

export interface Dimension {
  name: string
  /** Every value the dimension can take, in the order they are published. */
  values: readonly string[]
  /** True when one record counts under several values (a visit's topics): the counts do not add up. */
  multiValued: boolean
}

/** Counts from a GROUP BY GROUPING SETS query: `keys[d]` is null where dimension d was summed over. */
export interface GroupedCount {
  keys: (string | null)[]
  count: number
}

export interface PublishedCount<K> {
  key: K
  /** null when suppressed. */
  count: number | null
  suppressed: boolean
}

export interface ProtectedTable<K> {
  groupBy: string[]
  multiValued: string[]
  total: { count: number | null; suppressed: boolean }
  cells: PublishedCount<K>[]
  margins: Record<string, PublishedCount<K>[]>
}

interface Layout {
  table: CountTable
  /** For each entry: which dimension values it is, by dimension index (absent = summed over). */
  keys: Map<number, string>[]
  total: number
  cells: number[]
  margins: number[][]
}

const groupingKey = (keys: (string | null)[]) => JSON.stringify(keys)

function layOut(dims: readonly Dimension[], rows: readonly GroupedCount[]): Layout {
  const lookup = new Map(rows.map((r) => [groupingKey(r.keys), r.count]))
  const counts: number[] = []
  const keys: Map<number, string>[] = []
  const add = (key: Map<number, string>) => {
    const full = dims.map((_, d) => key.get(d) ?? null)
    counts.push(lookup.get(groupingKey(full)) ?? 0)
    keys.push(key)
    return counts.length - 1
  }
  const total = add(new Map())
  const relations: Relation[] = []
  if (dims.length === 0) return { table: { counts, relations }, keys, total, cells: [], margins: [] }

  if (dims.length === 1) {
    const cells = dims[0]!.values.map((v) => add(new Map([[0, v]])))
    if (!dims[0]!.multiValued) relations.push({ parent: total, children: cells })
    return { table: { counts, relations }, keys, total, cells, margins: [] }
  }

  const [a, b] = dims as [Dimension, Dimension]
  const marginA = a.values.map((v) => add(new Map([[0, v]])))
  const marginB = b.values.map((v) => add(new Map([[1, v]])))
  const grid = a.values.map((va) => b.values.map((vb) => add(new Map([[0, va], [1, vb]]))))
  // Summing over a dimension adds up only when each record has exactly one value of it.
  if (!b.multiValued) for (const [i, row] of grid.entries()) relations.push({ parent: marginA[i]!, children: row })
  if (!a.multiValued) for (const [j, m] of marginB.entries()) relations.push({ parent: m, children: grid.map((row) => row[j]!) })
  if (!a.multiValued) relations.push({ parent: total, children: marginA })
  if (!b.multiValued) relations.push({ parent: total, children: marginB })
  return { table: { counts, relations }, keys, total, cells: grid.flat(), margins: [marginA, marginB] }
}

/** The published table: every combination of values, counts below k and those that would reveal them as null. */
export function protectTable<K>(dims: readonly Dimension[], rows: readonly GroupedCount[], k: number): ProtectedTable<K> {
  const layout = layOut(dims, rows)
  const hidden = suppress(layout.table, k)
  const publish = (i: number): PublishedCount<K> => ({
    key: Object.fromEntries([...layout.keys[i]!].map(([d, v]) => [dims[d]!.name, v])) as K,
    count: hidden[i] ? null : layout.table.counts[i]!,
    suppressed: hidden[i]!,
  })
  const total = publish(layout.total)
  return {
    groupBy: dims.map((d) => d.name),
    multiValued: dims.filter((d) => d.multiValued).map((d) => d.name),
    total: { count: total.count, suppressed: total.suppressed },
    cells: layout.cells.map(publish),
    margins: Object.fromEntries(layout.margins.map((entries, d) => [dims[d]!.name, entries.map(publish)])),
  }
}

/** The table's structure and true counts, for tests that play the attacker. */
export function tableStructure(dims: readonly Dimension[], rows: readonly GroupedCount[]): CountTable {
  return layOut(dims, rows).table
}
