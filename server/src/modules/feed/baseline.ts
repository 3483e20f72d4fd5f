/**
 * The baseline For You ranking ("fresh + popular") that the recommender issue replaces.
 * Pure: given candidates, produce one ordered list with a reason per item.
 */
export type Candidate = { id: string; userId: string; views: number; likes: number; publishedAt: Date };
export type Ranked = { id: string; reason: 'baseline:popular' | 'baseline:fresh' };

/** Hacker-News-style gravity: engagement decays with age so yesterday's hit yields to today's. */
export function hotScore(c: Candidate, now: Date): number {
  const ageHours = Math.max(0, (now.getTime() - c.publishedAt.getTime()) / 3_600_000);
  return (c.views + 4 * c.likes + 1) / Math.pow(ageHours + 2, 1.4);
}

/**
 * Two popular items, then one of the newest, repeating; each video once. Consecutive items by the
 * same creator are pushed back a little so a page is not one creator's run.
 */
export function rankBaseline(cands: Candidate[], now: Date, freshCount = 200): Ranked[] {
  const popular = [...cands].sort((a, b) => hotScore(b, now) - hotScore(a, now) || (a.id < b.id ? -1 : 1));
  const fresh = [...cands].sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || (a.id < b.id ? -1 : 1)).slice(0, freshCount);
  const out: (Ranked & { userId: string })[] = [];
  const used = new Set<string>();
  let p = 0;
  let f = 0;
  const take = (list: Candidate[], i: number, reason: Ranked['reason']): number => {
    while (i < list.length && used.has(list[i]!.id)) i++;
    if (i < list.length) {
      used.add(list[i]!.id);
      out.push({ id: list[i]!.id, userId: list[i]!.userId, reason });
    }
    return i + 1;
  };
  while (p < popular.length || f < fresh.length) {
    const slot = out.length % 3;
    if (slot === 2 && f < fresh.length) f = take(fresh, f, 'baseline:fresh');
    else if (p < popular.length) p = take(popular, p, 'baseline:popular');
    else f = take(fresh, f, 'baseline:fresh');
  }
  // Author spread: swap an item forward past a neighbour by the same creator when possible.
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.userId !== out[i - 1]!.userId) continue;
    const j = out.findIndex((x, k) => k > i && x.userId !== out[i - 1]!.userId);
    if (j > i) out.splice(i, 0, ...out.splice(j, 1));
  }
  return out.map(({ id, reason }) => ({ id, reason }));
}
