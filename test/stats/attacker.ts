// An attacker for tests: what the published values of a count table give away, computed independently of the suppressor.
import type { CountTable } from '../../src/modules/stats/suppression.js'

/** Hidden entries whose value follows from the relations by linear algebra (Gauss–Jordan on the unknowns). */
export function linearlyDerivable(table: CountTable, hidden: readonly boolean[]): Set<number> {
  const unknowns = table.counts.map((_, i) => i).filter((i) => hidden[i])
  const column = new Map(unknowns.map((u, c) => [u, c]))
  const rows = table.relations.map((r) => {
    const row = new Array<number>(unknowns.length + 1).fill(0)
    const terms = [...r.children.map((i) => [i, 1] as const), [r.parent, -1] as const]
    for (const [i, sign] of terms) {
      const c = column.get(i)
      if (c === undefined) row[unknowns.length]! -= sign * table.counts[i]!
      else row[c]! += sign
    }
    return row
  })
  const pivots: number[] = []
  let r = 0
  for (let c = 0; c < unknowns.length && r < rows.length; c++) {
    const p = rows.findIndex((row, i) => i >= r && Math.abs(row[c]!) > 1e-9)
    if (p === -1) continue
    ;[rows[r], rows[p]] = [rows[p]!, rows[r]!]
    const pivot = rows[r]![c]!
    rows[r] = rows[r]!.map((v) => v / pivot)
    for (let i = 0; i < rows.length; i++) {
      if (i === r) continue
      const f = rows[i]![c]!
      if (Math.abs(f) > 1e-9) rows[i] = rows[i]!.map((v, j) => v - f * rows[r]![j]!)
    }
    pivots[r] = c
    r++
  }
  const pivotColumns = new Set(pivots)
  const derivable = new Set<number>()
  pivots.forEach((c, row) => {
    const free = rows[row]!.slice(0, unknowns.length).some((v, j) => j !== c && !pivotColumns.has(j) && Math.abs(v) > 1e-9)
    if (!free) derivable.add(unknowns[c]!)
  })
  return derivable
}

/**
 * Every value each hidden entry can take given the published values and the attacker's bounds
 * ([0, k-1] below k, [k, cap] otherwise), by exhaustive search. Only for tiny tables.
 */
export function feasibleValues(table: CountTable, hidden: readonly boolean[], k: number, cap: number): Map<number, Set<number>> {
  const unknowns = table.counts.map((_, i) => i).filter((i) => hidden[i])
  const value = table.counts.map((n, i) => (hidden[i] ? Number.NaN : n))
  const seen = new Map(unknowns.map((u) => [u, new Set<number>()]))
  const consistent = () =>
    table.relations.every((r) => {
      const members = [r.parent, ...r.children]
      if (members.some((m) => Number.isNaN(value[m]!))) return true
      return r.children.reduce((s, c) => s + value[c]!, 0) === value[r.parent]!
    })
  const search = (at: number) => {
    if (!consistent()) return
    if (at === unknowns.length) {
      for (const u of unknowns) seen.get(u)!.add(value[u]!)
      return
    }
    const u = unknowns[at]!
    const [lo, hi] = table.counts[u]! < k ? [0, k - 1] : [k, cap]
    for (let v = lo; v <= hi; v++) {
      value[u] = v
      search(at + 1)
    }
    value[u] = Number.NaN
  }
  search(0)
  return seen
}
