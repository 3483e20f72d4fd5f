/** Hashtags and @mentions as written in a caption, lower-cased and de-duplicated in order. */
export function parseCaption(caption: string): { hashtags: string[]; mentions: string[] } {
  const uniq = (xs: string[]) => [...new Set(xs.map((x) => x.toLowerCase()))];
  const hashtags = uniq([...caption.matchAll(/(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_]{1,64})/gu)].map((m) => m[1]!));
  const mentions = uniq([...caption.matchAll(/(?:^|[^\p{L}\p{N}_.])@([A-Za-z0-9_.]{3,24})/gu)].map((m) => m[1]!.replace(/\.+$/, '')));
  return { hashtags, mentions };
}
