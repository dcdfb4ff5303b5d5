-- Redis as the witness of what it holds (docs/online-layout.md, "Markers"): the run that last set each
-- watermark. Redis keeps the same token in its marker; a watermark whose token Redis does not hold
-- is re-materialised from the beginning. Watermarks from before this migration have none, so their
-- views are re-materialised once.
ALTER TABLE strata_watermarks ADD COLUMN run_token text;

-- Online keys that `apply` made unreadable (a view removed, turned offline or re-laid out) and that
-- are still to be deleted from Redis. Recorded in the apply's transaction, deleted once Redis has
-- dropped the keys; every apply, materialisation and push first finishes what is pending here.
CREATE TABLE strata_online_cleanups (
    id          bigserial   PRIMARY KEY,
    project     text        NOT NULL,
    view_name   text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    attempts    integer     NOT NULL DEFAULT 0,
    last_error  text
);
CREATE INDEX strata_online_cleanups_view ON strata_online_cleanups (project, view_name);
