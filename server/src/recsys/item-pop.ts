import { decodeSnapshot, encodeSnapshot, snapshotArray } from './codec.ts';
import { IdMap } from './ids.ts';
import { skipMask, topKIndices, type ScoredItem } from './top-k.ts';

/**
 * Most-popular baseline: every user gets the same ranking by (optionally time-decayed) interaction
 * weight. With a half-life, an item's mass halves every `halfLifeSeconds` without new events, so
 * yesterday's hit yields to today's; decay is applied lazily per item, so an event costs O(1).
 */
export type ItemPopConfig = {
  /** Seconds for an item's accumulated weight to halve; undefined or Infinity = plain counts. */
  halfLifeSeconds?: number;
};

const SNAPSHOT_KIND = 'item-pop';

export class ItemPop {
  readonly items = new IdMap();
  readonly halfLifeSeconds: number;
  private mass = new Float64Array(64);
  /** Time (seconds) at which `mass` was last brought current. */
  private stamp = new Float64Array(64);
  private latest = -Infinity;

  constructor(config: ItemPopConfig = {}) {
    const h = config.halfLifeSeconds ?? Infinity;
    if (!(h > 0)) throw new RangeError('halfLifeSeconds must be > 0');
    this.halfLifeSeconds = h;
  }

  initItem(item: string): number {
    const i = this.items.add(item);
    if (i >= this.mass.length) {
      const m = new Float64Array(this.mass.length * 2);
      m.set(this.mass);
      this.mass = m;
      const s = new Float64Array(this.stamp.length * 2);
      s.set(this.stamp);
      this.stamp = s;
    }
    return i;
  }

  /** Adds `weight` to the item at time `t` (seconds; ignored without a half-life). */
  observe(item: string, weight = 1, t = 0): void {
    this.observeIndex(this.initItem(item), weight, t);
  }

  observeIndex(i: number, weight = 1, t = 0): void {
    if (Number.isFinite(this.halfLifeSeconds)) {
      this.mass[i] = this.decayed(i, t) + weight;
      this.stamp[i] = t;
      if (t > this.latest) this.latest = t;
    } else {
      this.mass[i]! += weight;
    }
  }

  private decayed(i: number, t: number): number {
    const m = this.mass[i]!;
    if (m === 0 || !Number.isFinite(this.halfLifeSeconds)) return m;
    return m * Math.pow(2, -(t - this.stamp[i]!) / this.halfLifeSeconds);
  }

  /** Popularity of every item at time `t` (default: the latest event seen), indexed like `items`. */
  scoreAll(t = this.latest, out?: Float32Array): Float32Array {
    const n = this.items.size;
    const res = out !== undefined && out.length >= n ? out : new Float32Array(n);
    for (let i = 0; i < n; i++) res[i] = this.decayed(i, t);
    return res;
  }

  topK(k: number, exclude?: ReadonlySet<string>, t = this.latest): ScoredItem[] {
    const scores = this.scoreAll(t);
    return Array.from(topKIndices(scores, k, skipMask(this.items, exclude)), (i) => ({ id: this.items.id(i), score: scores[i]! }));
  }

  serialize(): Uint8Array {
    const n = this.items.size;
    return encodeSnapshot(
      SNAPSHOT_KIND,
      { items: this.items.toJSON(), halfLifeSeconds: Number.isFinite(this.halfLifeSeconds) ? this.halfLifeSeconds : null, latest: this.latest },
      { mass: this.mass.subarray(0, n), stamp: this.stamp.subarray(0, n) },
    );
  }

  static deserialize(bytes: Uint8Array): ItemPop {
    const { meta, arrays } = decodeSnapshot(bytes, SNAPSHOT_KIND);
    const mm = meta as { items: string[]; halfLifeSeconds: number | null; latest: number | null };
    const pop = new ItemPop({ halfLifeSeconds: mm.halfLifeSeconds ?? undefined });
    for (const id of mm.items) pop.initItem(id);
    pop.mass.set(snapshotArray(arrays, 'mass', Float64Array));
    pop.stamp.set(snapshotArray(arrays, 'stamp', Float64Array));
    // JSON turns -Infinity into null.
    pop.latest = mm.latest ?? -Infinity;
    return pop;
  }
}
