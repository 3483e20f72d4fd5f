/** Turning what a person typed into search terms. Pure; the tsquery syntax only ever sees letters and digits. */

export const MAX_TERMS = 8;
const MAX_TERM = 40;

/** Lower-cased words of letters and digits (the 'simple' text-search parser splits on everything else). */
export function terms(q: string): string[] {
  return q
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .map((w) => w.slice(0, MAX_TERM))
    .slice(0, MAX_TERMS);
}

/** The query as one handle-like string for people and hashtag matching: "@Ana.B" → "ana.b", "#Cats" → "cats". */
export function handle(q: string): string {
  return q
    .normalize('NFKC')
    .toLowerCase()
    .trim()
    .replace(/^[#@]+/, '')
    .replace(/[^\p{L}\p{N}_.]+/gu, '')
    .slice(0, 64);
}

/** Escape LIKE wildcards so user text matches literally. */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A to_tsquery string: every term must match (AND); each term may be any of its alternatives (the word as
 * typed and a close known word when it was misspelt); the last term also matches as a prefix, so results
 * follow the typing.
 */
export function tsQuery(alternatives: string[][]): string {
  return alternatives
    .map((alts, i) => {
      const last = i === alternatives.length - 1;
      const parts = [...new Set(alts)].map((w, j) => (last && j === 0 ? `${w}:*` : w));
      return parts.length > 1 ? `(${parts.join(' | ')})` : parts[0]!;
    })
    .join(' & ');
}
