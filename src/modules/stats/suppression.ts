// Small-cell suppression for count tables: primary (count < k) and secondary suppression, a pure function.
//
// A table is a list of counts (cells, margins, the total) and the additive relations between them
// (`parent = sum of children`). The attacker is assumed to know the rule (so a suppressed value is
// either in [0, k-1] or, when it was hidden to protect another, in [k, ∞)) and every published
// value. Suppression is extended until no suppressed count between 1 and k-1 can be derived
// exactly, neither by linear combination of the relations nor by propagating these bounds.

export interface Relation {
  /** Index of the entry that is the sum. */
  parent: number
  /** Indexes of the entries it is the sum of. */
  children: number[]
}

export interface CountTable {
  counts: readonly number[]
  /** Each entry may take part in at most two relations (true of one- and two-way tables). */
  relations: readonly Relation[]
}

interface Interval {
  lo: number
  hi: number
}

const PROPAGATION_ROUNDS = 200

/** Which entries to publish as `null`. If no safe pattern is found, all of them (fail closed). */
export function suppress(table: CountTable, k: number): boolean[] {
  const { counts, relations } = table
  const memberOf = membership(table)
  const hidden = counts.map((n) => n < k)
  const pinnedIn = (known: Interval[]) =>
    counts.map((_, i) => i).filter((i) => hidden[i] && counts[i]! > 0 && known[i]!.lo === known[i]!.hi)
  const stuck = new Set<number>()
  for (let round = 0; round <= counts.length; round++) {
    const pinned = pinnedIn(attackerKnowledge(table, memberOf, hidden, k)).filter((i) => !stuck.has(i))
    if (!pinned.some((i) => counts[i]! < k)) break
    // A complement that can be worked out protects nothing, so pinned complements are re-protected
    // too; entries whose best complement closes a cycle (the hypercube pattern) go first.
    const plans = pinned.map((entry) => ({ entry, complement: complementFor(entry, relations, memberOf, counts, hidden) }))
    for (const { entry, complement } of plans) if (complement === undefined) stuck.add(entry)
    const ready = plans.filter((p) => p.complement !== undefined).sort((a, b) => compareRanks(a.complement!.rank, b.complement!.rank))
    // One complement per relation and round: one added for an entry often protects its neighbours too.
    const touched = new Set<number>()
    for (const { entry, complement } of ready) {
      const extra = complement!.index
      if (hidden[extra] || [...memberOf[entry]!, ...memberOf[extra]!].some((r) => touched.has(r))) continue
      hidden[extra] = true
      for (const r of [...memberOf[entry]!, ...memberOf[extra]!]) touched.add(r)
    }
  }
  const exposed = pinnedIn(attackerKnowledge(table, memberOf, hidden, k)).some((i) => counts[i]! < k)
  return exposed ? counts.map(() => true) : hidden
}

function membership({ counts, relations }: CountTable): number[][] {
  const memberOf: number[][] = counts.map(() => [])
  relations.forEach((r, index) => {
    for (const m of [r.parent, ...r.children]) memberOf[m]!.push(index)
  })
  if (memberOf.some((list) => list.length > 2)) throw new Error('an entry takes part in more than two relations')
  return memberOf
}

/** The narrowest interval an attacker can give each entry from the published values. */
function attackerKnowledge(table: CountTable, memberOf: number[][], hidden: readonly boolean[], k: number): Interval[] {
  const { counts } = table
  const bounds = counts.map((n, i): Interval => {
    if (!hidden[i]) return { lo: n, hi: n }
    return n < k ? { lo: 0, hi: k - 1 } : { lo: k, hi: Number.POSITIVE_INFINITY }
  })
  for (let pass = 0; pass < counts.length + 1; pass++) {
    propagate(table.relations, bounds)
    const determined = linearlyDetermined(table, memberOf, bounds).filter((i) => bounds[i]!.lo !== bounds[i]!.hi)
    if (determined.length === 0) break
    for (const i of determined) bounds[i] = { lo: counts[i]!, hi: counts[i]! }
  }
  return bounds
}

/** Narrows every interval with each relation in turn until nothing changes (interval constraint propagation). */
function propagate(relations: readonly Relation[], bounds: Interval[]): void {
  for (let round = 0; round < PROPAGATION_ROUNDS; round++) {
    let changed = false
    for (const r of relations) {
      // children − parent = 0: the entry's value is minus the sum of the other signed terms.
      const terms = [...r.children.map((i) => ({ i, sign: 1 })), { i: r.parent, sign: -1 }]
      const low = terms.map(({ i, sign }) => (sign > 0 ? bounds[i]!.lo : -bounds[i]!.hi))
      const high = terms.map(({ i, sign }) => (sign > 0 ? bounds[i]!.hi : -bounds[i]!.lo))
      const lowSum = sumExcept(low)
      const highSum = sumExcept(high)
      terms.forEach(({ i, sign }, t) => {
        const othersLow = lowSum(t)
        const othersHigh = highSum(t)
        const lo = sign > 0 ? -othersHigh : othersLow
        const hi = sign > 0 ? -othersLow : othersHigh
        const b = bounds[i]!
        if (lo > b.lo) {
          b.lo = lo
          changed = true
        }
        if (hi < b.hi) {
          b.hi = hi
          changed = true
        }
      })
    }
    if (!changed) return
  }
}

/** sum(values) − values[t], exact with infinite terms (only one sign of infinity occurs per list). */
function sumExcept(values: number[]): (t: number) => number {
  let finite = 0
  let infinite = 0
  let sign = 0
  for (const v of values) {
    if (Number.isFinite(v)) finite += v
    else {
      infinite++
      sign = Math.sign(v)
    }
  }
  return (t) => {
    const own = values[t]!
    const rest = Number.isFinite(own) ? infinite : infinite - 1
    if (rest > 0) return sign * Number.POSITIVE_INFINITY
    return finite - (Number.isFinite(own) ? own : 0)
  }
}

/**
 * Unknown entries whose value follows from the relations alone. In a one- or two-way table every
 * entry lies in at most two relations, and flipping the sign of the column relations makes each
 * entry +1 in one and -1 in the other: a network matrix. So the relations are the nodes of a graph
 * whose edges are the unknown entries (an entry in one relation only is an edge to an extra node
 * that stands for no equation), and an entry is determined exactly when its edge is a bridge.
 */
function linearlyDetermined(table: CountTable, memberOf: number[][], bounds: readonly Interval[]): number[] {
  const open = table.relations.length
  const edges: [number, number, number][] = []
  bounds.forEach((b, i) => {
    if (b.lo === b.hi) return
    const rel = memberOf[i]!
    if (rel.length === 0) return
    edges.push([rel[0]!, rel[1] ?? open, i])
  })
  return bridges(open + 1, edges)
}

/** Tarjan's bridge-finding on a multigraph, iterative; returns the entry ids of bridge edges. */
function bridges(nodeCount: number, edges: [number, number, number][]): number[] {
  const adjacency: { to: number; edge: number }[][] = Array.from({ length: nodeCount }, () => [])
  edges.forEach(([a, b], e) => {
    adjacency[a]!.push({ to: b, edge: e })
    adjacency[b]!.push({ to: a, edge: e })
  })
  const order = new Array<number>(nodeCount).fill(-1)
  const low = new Array<number>(nodeCount).fill(0)
  const found: number[] = []
  let clock = 0
  for (let root = 0; root < nodeCount; root++) {
    if (order[root] !== -1) continue
    const stack: { node: number; via: number; next: number }[] = [{ node: root, via: -1, next: 0 }]
    order[root] = low[root] = clock++
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!
      const neighbours = adjacency[frame.node]!
      if (frame.next < neighbours.length) {
        const { to, edge } = neighbours[frame.next++]!
        if (edge === frame.via) continue
        if (order[to] === -1) {
          order[to] = low[to] = clock++
          stack.push({ node: to, via: edge, next: 0 })
        } else {
          low[frame.node] = Math.min(low[frame.node]!, order[to]!)
        }
        continue
      }
      stack.pop()
      const parent = stack[stack.length - 1]
      if (parent) {
        low[parent.node] = Math.min(low[parent.node]!, low[frame.node]!)
        if (low[frame.node]! > order[parent.node]!) found.push(edges[frame.via]![2])
      }
    }
  }
  return found
}

type Rank = [number, number, number, number]

const compareRanks = (a: Rank, b: Rank) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]

/**
 * The published entry to hide next to protect `entry`: one in the same relations, preferring a
 * child over a sum, then one whose other relation already hides something (so it is not left
 * alone there), then the smallest count. Falls back to the nearest published entry.
 */
function complementFor(
  entry: number,
  relations: readonly Relation[],
  memberOf: number[][],
  counts: readonly number[],
  hidden: readonly boolean[],
): { index: number; rank: Rank } | undefined {
  const rank = (i: number, asChild: boolean, distance: number): Rank => {
    const shielded = memberOf[i]!
      .map((r) => [relations[r]!.parent, ...relations[r]!.children])
      .some((members) => !members.includes(entry) && members.some((m) => m !== i && hidden[m]))
    return [distance * 2 + (asChild ? 0 : 1), shielded ? 0 : 1, counts[i]!, i]
  }
  const seen = new Set<number>([entry])
  let frontier = [entry]
  for (let distance = 0; frontier.length > 0; distance++) {
    const candidates: Rank[] = []
    const next: number[] = []
    for (const member of frontier) {
      for (const r of memberOf[member]!) {
        const { parent, children } = relations[r]!
        for (const [i, asChild] of [...children.map((c) => [c, true] as const), [parent, false] as const]) {
          if (seen.has(i)) continue
          seen.add(i)
          next.push(i)
          if (!hidden[i] && counts[i]! > 0) candidates.push(rank(i, asChild, distance))
        }
      }
    }
    if (candidates.length > 0) {
      const best = candidates.sort(compareRanks)[0]!
      return { index: best[3], rank: best }
    }
    frontier = next
  }
  return undefined
}
