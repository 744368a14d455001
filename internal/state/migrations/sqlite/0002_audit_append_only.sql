-- The audit log is append-only. The store has no method that changes or
-- removes an entry; these triggers also stop a stray statement (or a
-- future bug) from doing it. Retention, when it comes, will be its own
-- migration and an explicit, audited operation.

CREATE TRIGGER audit_log_no_update
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete
BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
