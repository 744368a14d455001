-- Indicators of compromise managed over the API (files in DATA/indicators
-- still load at start), and the record of detection rule runs.

CREATE TABLE indicators (
    id         TEXT    PRIMARY KEY,
    type       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    definition TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE UNIQUE INDEX indicators_value ON indicators (type, value);

CREATE TABLE rule_runs (
    id          INTEGER PRIMARY KEY,
    rule_id     TEXT    NOT NULL,
    trigger     TEXT    NOT NULL,
    started     INTEGER NOT NULL,
    duration_us INTEGER NOT NULL,
    from_time   INTEGER,
    to_time     INTEGER,
    status      TEXT    NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    alerts      INTEGER NOT NULL,
    truncated   INTEGER NOT NULL
);

CREATE INDEX rule_runs_rule ON rule_runs (rule_id, id);
