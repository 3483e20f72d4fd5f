/**
 * Dense string → int index map. The models keep their factors in flat typed arrays indexed by
 * these ints, so the same model serves uuids live and stringified MovieLens ints offline.
 * Indices are never reused or removed: a snapshot's arrays stay aligned with its id list.
 */
export class IdMap {
  private readonly index = new Map<string, number>();
  private readonly list: string[] = [];

  constructor(ids: Iterable<string> = []) {
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.list.length;
  }

  /** The index of `id`, or undefined when it has never been added. */
  get(id: string): number | undefined {
    return this.index.get(id);
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Get-or-insert: the index of `id`, assigning the next free one when it is new. */
  add(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.list.length;
      this.index.set(id, i);
      this.list.push(id);
    }
    return i;
  }

  /** The id at `index`; throws on an index that was never assigned, which is always a caller bug. */
  id(index: number): string {
    const id = this.list[index];
    if (id === undefined) throw new RangeError(`no id at index ${index} (size ${this.list.length})`);
    return id;
  }

  ids(): readonly string[] {
    return this.list;
  }

  toJSON(): string[] {
    return [...this.list];
  }

  static fromJSON(ids: readonly string[]): IdMap {
    const m = new IdMap(ids);
    if (m.size !== ids.length) throw new Error('IdMap.fromJSON: duplicate ids in snapshot');
    return m;
  }
}
