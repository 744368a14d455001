-- A merge no longer copies the merged incident's comments and activity to
-- its target: reading an incident's comments and activity walks the
-- redirect chains, as reading its alerts does, so a merge writes O(1)
-- rows. The copies earlier merges made would now read twice (the
-- original, through the chain, and the copy); this deletes them, once,
-- rather than have every read tell copies from originals forever (after
-- this migration no copy is ever written, and a read-time filter would
-- also hide a later row that merely looked like one).
--
-- A merge copied every row the source then had into its direct target
-- (the source's redirect_to) with the same fields; the source took no row
-- after that but its own "merged.into" entry, never copied. So, for each
-- target and each (source, fields) the sources hold n rows of, the last n
-- rows of the target with those fields are the copies; one with the same
-- fields written on the target itself (one change to both) came before
-- them and stays. Copies of copies (a merged incident merged again) are
-- rows of a source there, so they are counted, and go too. Each DELETE
-- matches the rows as they were before it: its IN list (not correlated)
-- is computed once, before any row goes.

-- Comments: (author, text, created_at); the sources merged into one
-- target are counted together, since a copy does not say which it is of.
WITH orig AS (
    SELECT y.redirect_to AS target, o.author, o.text, o.created_at, count(*) AS n
    FROM incidents y JOIN incident_comments o ON o.incident_id = y.id
    WHERE y.redirect_to <> 0
    GROUP BY 1, 2, 3, 4
), ranked AS (
    SELECT c.id, o.n,
        row_number() OVER (PARTITION BY c.incident_id, c.author, c.text, c.created_at ORDER BY c.id DESC) AS nth
    FROM incident_comments c JOIN orig o
        ON o.target = c.incident_id AND o.author = c.author AND o.text = c.text AND o.created_at = c.created_at
)
DELETE FROM incident_comments WHERE id IN (SELECT id FROM ranked WHERE nth <= n);

-- Activity: a copy's details are the source row's with "fromIncident" set
-- to the source (replacing the one a copy of a copy had), and no entry
-- Vigil writes has that key otherwise: so (source, time, actor, action,
-- details without fromIncident). Details that are not valid JSON (none
-- should be) match nothing rather than fail the migration.
WITH orig AS (
    SELECT y.redirect_to AS target, y.id AS source, o.time, o.actor, o.action,
        CASE WHEN json_valid(o.details) THEN json_remove(o.details, '$.fromIncident') END AS d, count(*) AS n
    FROM incidents y JOIN incident_activity o ON o.incident_id = y.id
    WHERE y.redirect_to <> 0
    GROUP BY 1, 2, 3, 4, 5, 6
), copies AS (
    SELECT id, incident_id, time, actor, action,
        CASE WHEN json_valid(details) THEN json_extract(details, '$.fromIncident') END AS source,
        CASE WHEN json_valid(details) THEN json_remove(details, '$.fromIncident') END AS d
    FROM incident_activity
    WHERE instr(details, '"fromIncident"') > 0
), ranked AS (
    SELECT c.id, o.n,
        row_number() OVER (PARTITION BY c.incident_id, c.source, c.time, c.actor, c.action, c.d ORDER BY c.id DESC) AS nth
    FROM copies c JOIN orig o
        ON o.target = c.incident_id AND o.source = c.source AND o.time = c.time AND o.actor = c.actor
        AND o.action = c.action AND o.d = c.d
)
DELETE FROM incident_activity WHERE id IN (SELECT id FROM ranked WHERE nth <= n);
