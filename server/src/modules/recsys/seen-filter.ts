/**
 * A per-user Bloom filter of videos already shown (Loops' approach, sized per user): constant
 * memory however long the history, no false negatives, ~1% false positives at capacity — a few
 * unseen videos skipped, never a repeat. When it fills, it is rebuilt from the most recent ids.
 */
export class SeenFilter {
  readonly bits: Uint8Array;
  readonly hashes: number;
  count: number;
  constructor(capacity = 4096, falsePositive = 0.01, bits?: Uint8Array, count = 0) {
    const m = Math.ceil((-capacity * Math.log(falsePositive)) / Math.LN2 ** 2);
    this.bits = bits ?? new Uint8Array(Math.ceil(m / 8));
    this.hashes = Math.max(1, Math.round(((this.bits.length * 8) / capacity) * Math.LN2));
    this.count = count;
  }
  get capacity() {
    return Math.floor(((this.bits.length * 8) / this.hashes) * Math.LN2);
  }
  private positions(id: string): number[] {
    // Kirsch–Mitzenmacher: two independent 32-bit hashes (FNV-1a with two seeds) make every probe;
    // a cryptographic digest per probe was the feed's hottest line.
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ 0x5bd1e995;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    h1 >>>= 0;
    h2 = (h2 ^ (h2 >>> 15)) | 1;
    const m = this.bits.length * 8;
    const out: number[] = [];
    for (let i = 0; i < this.hashes; i++) out.push(((h1 + Math.imul(i, h2)) >>> 0) % m);
    return out;
  }
  add(id: string) {
    for (const p of this.positions(id)) this.bits[p >> 3]! |= 1 << (p & 7);
    this.count++;
  }
  has(id: string): boolean {
    return this.positions(id).every((p) => (this.bits[p >> 3]! & (1 << (p & 7))) !== 0);
  }
  get full() {
    return this.count >= this.capacity;
  }
  toJSON() {
    return { bits: Buffer.from(this.bits).toString('base64'), count: this.count, capacity: this.capacity };
  }
  static fromJSON(j: { bits: string; count: number; capacity: number }) {
    return new SeenFilter(j.capacity, 0.01, new Uint8Array(Buffer.from(j.bits, 'base64')), j.count);
  }
}
