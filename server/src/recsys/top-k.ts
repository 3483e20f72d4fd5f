import type { IdMap } from './ids.ts';

/** A recommended item and its model score (higher is better; scales differ between models). */
export type ScoredItem = { id: string; score: number };

/**
 * Indices of the `k` highest scores, best first. Ties go to the lower index, the same order
 * `rankOf` counts, so a list and a rank computed from one score vector always agree.
 * `skip[i] !== 0` removes item i (already seen, not yet published, blocked, ...).
 * A bounded min-heap: O(n log k), no allocation proportional to n.
 */
export function topKIndices(scores: Float32Array, k: number, skip?: Uint8Array, n: number = scores.length): Int32Array {
  if (k <= 0) return new Int32Array(0);
  const heap = new Int32Array(k);
  const hs = new Float64Array(k);
  let size = 0;
  // Root holds the worst kept item: lowest score, and among equal scores the highest index.
  const worse = (a: number, b: number): boolean => hs[a]! < hs[b]! || (hs[a] === hs[b] && heap[a]! > heap[b]!);
  const swap = (a: number, b: number): void => {
    const ti = heap[a]!;
    heap[a] = heap[b]!;
    heap[b] = ti;
    const ts = hs[a]!;
    hs[a] = hs[b]!;
    hs[b] = ts;
  };
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  // Fill the heap with the first k eligible items.
  let j = 0;
  for (; j < n && size < k; j++) {
    if (skip !== undefined && skip[j] !== 0 && skip[j] !== undefined) continue;
    const s = scores[j]!;
    if (s !== s) continue; // NaN never ranks
    heap[size] = j;
    hs[size] = s;
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(i, p)) break;
      swap(i, p);
      i = p;
    }
  }
  // Then only a score above the root's enters (indices only grow, so an equal score with a higher
  // index never displaces the root; NaN compares false). Tight loops: this scans the catalogue.
  let root = size > 0 ? hs[0]! : Infinity;
  if (skip === undefined) {
    for (; j < n; j++) {
      const s = scores[j]!;
      if (s > root) {
        heap[0] = j;
        hs[0] = s;
        siftDown(0);
        root = hs[0]!;
      }
    }
  } else {
    for (; j < n; j++) {
      if (skip[j] !== 0 && skip[j] !== undefined) continue;
      const s = scores[j]!;
      if (s > root) {
        heap[0] = j;
        hs[0] = s;
        siftDown(0);
        root = hs[0]!;
      }
    }
  }
  const out = heap.slice(0, size);
  const order = Array.from(out).sort((a, b) => scores[b]! - scores[a]! || a - b);
  for (let i = 0; i < size; i++) out[i] = order[i]!;
  return out;
}

/**
 * 1-based rank of `target` among the non-skipped items, with the same tie rule as topKIndices.
 * The target itself is ranked even when skipped.
 */
export function rankOf(scores: Float32Array, target: number, skip?: Uint8Array, n: number = scores.length): number {
  const st = scores[target]!;
  let better = 0;
  for (let j = 0; j < n; j++) {
    if (j === target || (skip !== undefined && skip[j] !== 0 && skip[j] !== undefined)) continue;
    const s = scores[j]!;
    if (s > st || (s === st && j < target)) better++;
  }
  return better + 1;
}

/** Skip mask over an IdMap for an exclusion set of ids (unknown ids ignored). */
export function skipMask(ids: IdMap, exclude?: ReadonlySet<string>): Uint8Array | undefined {
  if (exclude === undefined || exclude.size === 0) return undefined;
  const skip = new Uint8Array(ids.size);
  for (const id of exclude) {
    const i = ids.get(id);
    if (i !== undefined) skip[i] = 1;
  }
  return skip;
}
