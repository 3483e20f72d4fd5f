-- Discovery (issue 4): an optional country for audience regions, and sounds in search.

-- The country a person says they are in (ISO 3166-1 alpha-2, set in their settings; NULL = not said).
-- Creators only ever see it counted: "viewers by region" in analytics.
ALTER TABLE users ADD COLUMN country text CHECK (country ~ '^[A-Z]{2}$');

-- Sounds by title: prefix and typo-tolerant matching for search and suggestions.
CREATE INDEX sounds_title_trgm ON sounds USING gin (lower(title) gin_trgm_ops);

-- A video's search document: its caption (weight D, as before) plus the titles of the sounds it uses
-- (weight C), except the automatic sound made from its own audio ("original sound - @me"), which would
-- make every video match "original" and "sound". Disabled and unlisted sounds are left out.
CREATE FUNCTION flick_video_doc(vid uuid, caption text) RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT to_tsvector('simple', caption) || coalesce(
    (SELECT setweight(to_tsvector('simple', string_agg(s.title, ' ')), 'C')
     FROM sound_uses su JOIN sounds s ON s.id = su.sound_id
     WHERE su.video_id = vid AND s.video_id IS DISTINCT FROM vid AND s.enabled AND s.listed),
    ''::tsvector)
$$;

CREATE OR REPLACE FUNCTION flick_video_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cap tsvector;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.caption = OLD.caption AND NEW.status = OLD.status AND NEW.visibility = OLD.visibility
     AND NEW.published_at IS NOT DISTINCT FROM OLD.published_at THEN
    RETURN NEW;
  END IF;
  cap := to_tsvector('simple', NEW.caption);
  INSERT INTO video_search (video_id, user_id, tsv, searchable, published_at)
  VALUES (NEW.id, NEW.user_id, CASE WHEN TG_OP = 'INSERT' THEN cap ELSE flick_video_doc(NEW.id, NEW.caption) END,
    NEW.status = 'ready' AND NEW.visibility = 'public', NEW.published_at)
  ON CONFLICT (video_id) DO UPDATE SET tsv = EXCLUDED.tsv, searchable = EXCLUDED.searchable, published_at = EXCLUDED.published_at;
  IF TG_OP = 'INSERT' OR NEW.caption <> OLD.caption THEN
    INSERT INTO search_words (word, docs)
    SELECT w, 1 FROM unnest(tsvector_to_array(cap)) AS w WHERE length(w) BETWEEN 2 AND 40 AND w !~ '^[0-9]+$'
    ON CONFLICT (word) DO UPDATE SET docs = search_words.docs + 1;
  END IF;
  RETURN NEW;
END $$;

-- A video starts or stops using a sound: its document changes. (A deleted video is already gone when
-- its sound_uses rows cascade, so the join finds nothing to update.)
CREATE FUNCTION flick_sound_use_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  vid uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.video_id ELSE NEW.video_id END;
BEGIN
  UPDATE video_search vs SET tsv = flick_video_doc(v.id, v.caption) FROM videos v WHERE v.id = vid AND vs.video_id = vid;
  RETURN NULL;
END $$;
CREATE TRIGGER sound_uses_search_sync AFTER INSERT OR DELETE ON sound_uses FOR EACH ROW EXECUTE FUNCTION flick_sound_use_search_sync();

-- A sound is renamed, turned off or on: the videos using it change. A new or renamed listed sound's
-- words join the vocabulary, so a misspelt sound title is corrected like a caption word.
CREATE FUNCTION flick_sound_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.title <> OLD.title OR NEW.enabled <> OLD.enabled OR NEW.listed <> OLD.listed) THEN
    UPDATE video_search vs SET tsv = flick_video_doc(v.id, v.caption)
    FROM sound_uses su JOIN videos v ON v.id = su.video_id
    WHERE su.sound_id = NEW.id AND vs.video_id = su.video_id;
  END IF;
  IF NEW.listed AND (TG_OP = 'INSERT' OR NEW.title <> OLD.title OR NOT OLD.listed) THEN
    INSERT INTO search_words (word, docs)
    SELECT w, 1 FROM unnest(tsvector_to_array(to_tsvector('simple', NEW.title))) AS w WHERE length(w) BETWEEN 2 AND 40 AND w !~ '^[0-9]+$'
    ON CONFLICT (word) DO UPDATE SET docs = search_words.docs + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sounds_search_sync AFTER INSERT OR UPDATE OF title, enabled, listed ON sounds FOR EACH ROW EXECUTE FUNCTION flick_sound_search_sync();

-- Backfill: videos that already use another's sound, and the words of listed sounds.
UPDATE video_search vs SET tsv = flick_video_doc(v.id, v.caption)
FROM videos v WHERE v.id = vs.video_id AND EXISTS (SELECT 1 FROM sound_uses su JOIN sounds s ON s.id = su.sound_id WHERE su.video_id = v.id AND s.video_id IS DISTINCT FROM v.id);
INSERT INTO search_words (word, docs)
SELECT w, count(*) FROM sounds s, unnest(tsvector_to_array(to_tsvector('simple', s.title))) AS w
WHERE s.listed AND length(w) BETWEEN 2 AND 40 AND w !~ '^[0-9]+$' GROUP BY w
ON CONFLICT (word) DO UPDATE SET docs = search_words.docs + EXCLUDED.docs;
