/**
 * Per-user interaction rows (item index → net weight), most recent last. The MF model needs a
 * user's full row to re-solve that user's vector exactly on each online event, and the KNN model
 * scores straight from it. Rows are capped so one very active user cannot make updates slow or
 * memory unbounded: the oldest entry is dropped first.
 */
export class UserHistories {
  private rows: (Map<number, number> | undefined)[] = [];
  private entries = 0;
  readonly maxPerUser: number;

  constructor(maxPerUser: number) {
    if (!(maxPerUser >= 1)) throw new RangeError('maxPerUser must be ≥ 1');
    this.maxPerUser = maxPerUser;
  }

  /** Total stored (user, item) entries. */
  get nnz(): number {
    return this.entries;
  }

  get(user: number): ReadonlyMap<number, number> | undefined {
    return this.rows[user];
  }

  size(user: number): number {
    return this.rows[user]?.size ?? 0;
  }

  /** Adds `weight` to the entry and moves it to most recent. Returns the new net weight. */
  add(user: number, item: number, weight: number): number {
    let row = this.rows[user];
    if (row === undefined) {
      row = new Map();
      this.rows[user] = row;
    }
    const prev = row.get(item);
    const next = (prev ?? 0) + weight;
    if (prev !== undefined) row.delete(item);
    else this.entries++;
    row.set(item, next);
    if (row.size > this.maxPerUser) {
      const oldest = row.keys().next();
      if (!oldest.done) {
        row.delete(oldest.value);
        this.entries--;
      }
    }
    return next;
  }

  /** Compressed rows for batch training: entries with net weight 0 carry no signal and are dropped. */
  toCSR(numUsers: number): { indptr: Int32Array; indices: Int32Array; weights: Float32Array } {
    const indptr = new Int32Array(numUsers + 1);
    const indices = new Int32Array(this.entries);
    const weights = new Float32Array(this.entries);
    let n = 0;
    for (let u = 0; u < numUsers; u++) {
      const row = this.rows[u];
      if (row !== undefined) {
        for (const [i, w] of row) {
          if (w === 0) continue;
          indices[n] = i;
          weights[n] = w;
          n++;
        }
      }
      indptr[u + 1] = n;
    }
    return { indptr, indices: indices.subarray(0, n), weights: weights.subarray(0, n) };
  }

  static fromCSR(maxPerUser: number, indptr: Int32Array, indices: Int32Array, weights: Float32Array): UserHistories {
    const h = new UserHistories(maxPerUser);
    for (let u = 0; u + 1 < indptr.length; u++) {
      for (let p = indptr[u]!; p < indptr[u + 1]!; p++) h.add(u, indices[p]!, weights[p]!);
    }
    return h;
  }
}

/** Column-compressed transpose of a CSR matrix (item → users), keeping the weights. */
export function transposeCSR(
  indptr: Int32Array,
  indices: Int32Array,
  weights: Float32Array,
  numCols: number,
): { indptr: Int32Array; indices: Int32Array; weights: Float32Array } {
  const tptr = new Int32Array(numCols + 1);
  for (let p = 0; p < indices.length; p++) tptr[indices[p]! + 1]!++;
  for (let c = 0; c < numCols; c++) tptr[c + 1]! += tptr[c]!;
  const fill = tptr.slice(0, numCols);
  const tind = new Int32Array(indices.length);
  const tw = new Float32Array(indices.length);
  for (let r = 0; r + 1 < indptr.length; r++) {
    for (let p = indptr[r]!; p < indptr[r + 1]!; p++) {
      const c = indices[p]!;
      const q = fill[c]!++;
      tind[q] = r;
      tw[q] = weights[p]!;
    }
  }
  return { indptr: tptr, indices: tind, weights: tw };
}
