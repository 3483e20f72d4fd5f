import type { InteractionEvent } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Metrics } from '../../http/metrics.ts';

/** The append-only interaction log the recommender learns from. */
export function createEventsService(deps: { db: Database; clock: Clock; metrics: Metrics }) {
  const { db, clock, metrics } = deps;
  return {
    async record(userId: string | null, events: InteractionEvent[]) {
      // Within one batch a repeated id also counts once.
      const unique = [...new Map(events.map((e) => [e.id, e])).values()];
      const known = new Set(
        (
          await db
            .selectFrom('videos')
            .select('id')
            .where('id', 'in', [...new Set(unique.map((e) => e.videoId))])
            .execute()
        ).map((r) => r.id),
      );
      const valid = unique.filter((e) => known.has(e.videoId));
      const now = clock.now();
      const inserted = valid.length
        ? await db
            .insertInto('events')
            .values(
              valid.map((e) => ({
                id: e.id,
                user_id: userId,
                video_id: e.videoId,
                type: e.type,
                watch_ms: e.watchMs ?? null,
                position_ms: e.positionMs ?? null,
                duration_ms: e.durationMs ?? null,
                feed: e.feed ?? null,
                // A client clock far off is not trusted for ordering.
                client_at: e.at && Math.abs(Date.parse(e.at) - now.getTime()) < 24 * 3600 * 1000 ? e.at : null,
              })),
            )
            .onConflict((oc) => oc.column('id').doNothing())
            .returning(['id', 'type', 'video_id'])
            .execute()
        : [];
      const plays = new Map<string, number>();
      for (const r of inserted) {
        metrics.event(r.type);
        if (r.type === 'play') plays.set(r.video_id, (plays.get(r.video_id) ?? 0) + 1);
      }
      for (const [videoId, n] of plays) {
        await db
          .updateTable('videos')
          .set((eb) => ({ view_count: eb('view_count', '+', n) }))
          .where('id', '=', videoId)
          .execute();
      }
      return { accepted: inserted.length, duplicates: events.length - unique.length + (valid.length - inserted.length), ignored: unique.length - valid.length };
    },
  };
}
export type EventsService = ReturnType<typeof createEventsService>;
