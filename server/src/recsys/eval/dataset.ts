import { IdMap } from '../ids.ts';

/**
 * Columnar interaction log: event e is (user[e], item[e], value[e], time[e]) with users and items
 * as dense indices into the two IdMaps. `time` is seconds, NaN when the source has none.
 */
export type Interactions = {
  readonly users: IdMap;
  readonly items: IdMap;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly value: Float32Array;
  readonly time: Float64Array;
  readonly length: number;
};

/** Growable builder so loaders can stream rows in without knowing the count up front. */
export class InteractionsBuilder {
  readonly users = new IdMap();
  readonly items = new IdMap();
  private user = new Int32Array(1024);
  private item = new Int32Array(1024);
  private value = new Float32Array(1024);
  private time = new Float64Array(1024);
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(user: string, item: string, value: number, time: number): void {
    if (this.n === this.user.length) {
      const cap = this.n * 2;
      this.user = growInt(this.user, cap);
      this.item = growInt(this.item, cap);
      const v = new Float32Array(cap);
      v.set(this.value);
      this.value = v;
      const t = new Float64Array(cap);
      t.set(this.time);
      this.time = t;
    }
    this.user[this.n] = this.users.add(user);
    this.item[this.n] = this.items.add(item);
    this.value[this.n] = value;
    this.time[this.n] = time;
    this.n++;
  }

  build(): Interactions {
    const n = this.n;
    return {
      users: this.users,
      items: this.items,
      user: this.user.slice(0, n),
      item: this.item.slice(0, n),
      value: this.value.slice(0, n),
      time: this.time.slice(0, n),
      length: n,
    };
  }
}

function growInt(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/**
 * The events selected by `keep` (in their original order), sharing the id maps so indices stay
 * comparable between subsets of one data set.
 */
export function subset(data: Interactions, keep: (e: number) => boolean): Interactions {
  const sel: number[] = [];
  for (let e = 0; e < data.length; e++) if (keep(e)) sel.push(e);
  return take(data, Int32Array.from(sel));
}

/** Events at the given positions, in that order. */
export function take(data: Interactions, events: Int32Array): Interactions {
  const n = events.length;
  const out = {
    users: data.users,
    items: data.items,
    user: new Int32Array(n),
    item: new Int32Array(n),
    value: new Float32Array(n),
    time: new Float64Array(n),
    length: n,
  };
  for (let q = 0; q < n; q++) {
    const e = events[q]!;
    out.user[q] = data.user[e]!;
    out.item[q] = data.item[e]!;
    out.value[q] = data.value[e]!;
    out.time[q] = data.time[e]!;
  }
  return out;
}

/**
 * Positive interactions: value ≥ threshold (every event when the threshold is undefined), and each
 * (user, item) pair once, at its first positive event. Protocol A treats a pair as one positive,
 * so a repeated view (common in KuaiRec's big matrix) must not count twice or leak across folds.
 */
export function positives(data: Interactions, threshold?: number): Interactions {
  const seen = new Set<number>();
  const order = chronological(data);
  const keep = new Uint8Array(data.length);
  const nItems = data.items.size;
  for (const e of order) {
    if (threshold !== undefined && !(data.value[e]! >= threshold)) continue;
    const key = data.user[e]! * nItems + data.item[e]!;
    if (seen.has(key)) continue;
    seen.add(key);
    keep[e] = 1;
  }
  return subset(data, (e) => keep[e] === 1);
}

/** Event positions sorted by time, stable (file order breaks ties); NaN times sort last. */
export function chronological(data: Interactions): Int32Array {
  const order = Int32Array.from({ length: data.length }, (_, i) => i);
  const t = data.time;
  return order.sort((a, b) => {
    const ta = t[a]!;
    const tb = t[b]!;
    const na = ta !== ta;
    const nb = tb !== tb;
    if (ta === tb || (na && nb)) return a - b;
    if (na) return 1;
    if (nb) return -1;
    return ta - tb;
  });
}

/** Users × items, events, density: a line for logs and the README. */
export function describe(data: Interactions): { users: number; items: number; events: number; density: number } {
  const users = new Set(data.user).size;
  const items = new Set(data.item).size;
  return { users, items, events: data.length, density: data.length / Math.max(1, users * items) };
}
