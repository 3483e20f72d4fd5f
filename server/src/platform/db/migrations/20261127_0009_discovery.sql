-- Discovery and sharing: search index, vocabulary for typo tolerance, hashtag counts, challenges, shares.

-- Full-text document per video, kept by triggers so search never recomputes to_tsvector per row and the
-- videos table (read on every feed request) carries no extra column. 'simple': captions are in any language.
CREATE TABLE video_search (
  video_id     uuid PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
  user_id      uuid NOT NULL,
  tsv          tsvector NOT NULL,
  searchable   boolean NOT NULL,
  published_at timestamptz
);
CREATE INDEX video_search_tsv ON video_search USING gin (tsv) WHERE searchable;
CREATE INDEX video_search_published ON video_search (published_at DESC) WHERE searchable;

-- Every word seen in captions and hashtags, numbers aside (typo correction looks query words up here by trigram similarity).
CREATE TABLE search_words (
  word text PRIMARY KEY,
  docs int NOT NULL DEFAULT 0
);
CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops);
CREATE INDEX search_words_prefix ON search_words (word text_pattern_ops);

-- Hashtags and how many videos use them (suggestions, hashtag search).
CREATE TABLE hashtags (
  tag    text PRIMARY KEY,
  videos int NOT NULL DEFAULT 0
);
CREATE INDEX hashtags_trgm ON hashtags USING gin (tag gin_trgm_ops);
CREATE INDEX hashtags_videos ON hashtags (videos DESC);

CREATE INDEX users_username_trgm ON users USING gin (lower(username) gin_trgm_ops);
CREATE INDEX users_display_name_trgm ON users USING gin (lower(display_name) gin_trgm_ops);
CREATE INDEX users_username_prefix ON users (lower(username) text_pattern_ops);
CREATE INDEX video_hashtags_tag_video ON video_hashtags (tag, video_id);

CREATE FUNCTION flick_video_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  doc tsvector;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.caption = OLD.caption AND NEW.status = OLD.status AND NEW.visibility = OLD.visibility
     AND NEW.published_at IS NOT DISTINCT FROM OLD.published_at THEN
    RETURN NEW;
  END IF;
  doc := to_tsvector('simple', NEW.caption);
  INSERT INTO video_search (video_id, user_id, tsv, searchable, published_at)
  VALUES (NEW.id, NEW.user_id, doc, NEW.status = 'ready' AND NEW.visibility = 'public', NEW.published_at)
  ON CONFLICT (video_id) DO UPDATE SET tsv = EXCLUDED.tsv, searchable = EXCLUDED.searchable, published_at = EXCLUDED.published_at;
  IF TG_OP = 'INSERT' OR NEW.caption <> OLD.caption THEN
    INSERT INTO search_words (word, docs)
    SELECT w, 1 FROM unnest(tsvector_to_array(doc)) AS w WHERE length(w) BETWEEN 2 AND 40 AND w !~ '^[0-9]+$'
    ON CONFLICT (word) DO UPDATE SET docs = search_words.docs + 1;
  END IF;
  RETURN NEW;
END $$;
-- Only the columns the index depends on: counter updates (likes, views) never fire it.
CREATE TRIGGER videos_search_sync AFTER INSERT OR UPDATE OF caption, status, visibility, published_at ON videos FOR EACH ROW EXECUTE FUNCTION flick_video_search_sync();

CREATE FUNCTION flick_hashtag_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO hashtags (tag, videos) VALUES (NEW.tag, 1) ON CONFLICT (tag) DO UPDATE SET videos = hashtags.videos + 1;
    RETURN NEW;
  END IF;
  UPDATE hashtags SET videos = greatest(videos - 1, 0) WHERE tag = OLD.tag;
  RETURN OLD;
END $$;
CREATE TRIGGER video_hashtags_count AFTER INSERT OR DELETE ON video_hashtags FOR EACH ROW EXECUTE FUNCTION flick_hashtag_count();

-- Backfill what existed before this migration.
INSERT INTO video_search (video_id, user_id, tsv, searchable, published_at)
SELECT id, user_id, to_tsvector('simple', caption), status = 'ready' AND visibility = 'public', published_at FROM videos;
INSERT INTO search_words (word, docs)
SELECT w, count(*) FROM video_search, unnest(tsvector_to_array(tsv)) AS w WHERE length(w) BETWEEN 2 AND 40 AND w !~ '^[0-9]+$' GROUP BY w;
INSERT INTO hashtags (tag, videos) SELECT tag, count(*) FROM video_hashtags GROUP BY tag;

-- A challenge is a hashtag with a title, rules, dates and a leaderboard. Staff create and feature them.
CREATE TABLE challenges (
  id          uuid PRIMARY KEY,
  slug        text NOT NULL UNIQUE,
  hashtag     text NOT NULL,
  title       text NOT NULL,
  description text NOT NULL DEFAULT '',
  rules       text NOT NULL DEFAULT '',
  banner_key  text,
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  featured    boolean NOT NULL DEFAULT false,
  -- The ads issue fills this in (a sponsored challenge); null = organic.
  sponsor     text,
  created_by  uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX challenges_hashtag ON challenges (hashtag);
CREATE INDEX challenges_featured ON challenges (featured, ends_at DESC);

-- Each time someone shares a video (copy link, system share sheet, QR, embed code).
CREATE TABLE video_shares (
  id         uuid PRIMARY KEY,
  video_id   uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  user_id    uuid REFERENCES users(id) ON DELETE SET NULL,
  channel    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX video_shares_video ON video_shares (video_id, created_at);

-- Visits through share links (?s=<sharer>&src=share), one per visitor per video per day.
CREATE TABLE share_visits (
  video_id   uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  visitor    text NOT NULL,
  day        date NOT NULL,
  sharer_id  uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (video_id, visitor, day)
);
