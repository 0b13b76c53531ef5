-- 0002 (SQLite 0019): the report's counters (boussole report, /admin/report): tallies
-- of the bot's work summed by calendar month (UTC) and by bounded fields
-- only (bot.Tally: a platform, a jurisdiction code, a configured queue, a
-- tree id, a fixed word, a rating). No person's id or words: the
-- retention purge and « oublie-moi » leave this table alone, so the
-- figures of past months survive the conversations they came from.
--
-- seconds is the sum of the durations (claim wait, time to close) for a
-- mean; seconds_max the longest; w_* count the durations by fixed bucket
-- (upper bounds 1 min, 5 min, 15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 1 day,
-- 2 days, 7 days, more) for a median estimate (bot.WaitBounds).
CREATE TABLE report_counters (
    month        TEXT    NOT NULL,  -- "2026-12", UTC
    kind         TEXT    NOT NULL,  -- bot.TallyKind
    platform     TEXT    NOT NULL DEFAULT '',
    jurisdiction TEXT    NOT NULL DEFAULT '',
    lang         TEXT    NOT NULL DEFAULT '',
    queue        TEXT    NOT NULL DEFAULT '',
    topic        TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    outcome      TEXT    NOT NULL DEFAULT '',
    category     TEXT    NOT NULL DEFAULT '',
    confidence   TEXT    NOT NULL DEFAULT '',
    value        INTEGER NOT NULL DEFAULT 0,
    n            INTEGER NOT NULL DEFAULT 0,
    seconds      DOUBLE PRECISION NOT NULL DEFAULT 0,
    seconds_max  DOUBLE PRECISION NOT NULL DEFAULT 0,
    w_1m         INTEGER NOT NULL DEFAULT 0,
    w_5m         INTEGER NOT NULL DEFAULT 0,
    w_15m        INTEGER NOT NULL DEFAULT 0,
    w_30m        INTEGER NOT NULL DEFAULT 0,
    w_1h         INTEGER NOT NULL DEFAULT 0,
    w_2h         INTEGER NOT NULL DEFAULT 0,
    w_4h         INTEGER NOT NULL DEFAULT 0,
    w_8h         INTEGER NOT NULL DEFAULT 0,
    w_1d         INTEGER NOT NULL DEFAULT 0,
    w_2d         INTEGER NOT NULL DEFAULT 0,
    w_7d         INTEGER NOT NULL DEFAULT 0,
    w_more       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, kind, platform, jurisdiction, lang, queue, topic, reason, outcome, category, confidence, value)
);
