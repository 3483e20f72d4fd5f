-- Small key/value facts about this installation (e.g. how far the demo seed got).
CREATE TABLE app_state (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
