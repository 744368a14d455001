-- Custom detection rules. The definition is the rule as YAML (or JSON),
-- the shape package detect reads; version counts updates, for optimistic
-- concurrency.

CREATE TABLE detection_rules (
    id         TEXT    PRIMARY KEY,
    definition TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
