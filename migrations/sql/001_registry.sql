-- The feature registry: every version of every object, and a log of applies.
CREATE TABLE strata_objects (
    project     text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('entity', 'source', 'feature_view', 'feature_service', 'model')),
    name        text        NOT NULL,
    version     integer     NOT NULL CHECK (version > 0),
    content_hash text       NOT NULL,
    spec        jsonb,
    removed     boolean     NOT NULL DEFAULT false,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    apply_id    bigint      NOT NULL,
    PRIMARY KEY (project, kind, name, version)
);

CREATE TABLE strata_applies (
    id          bigserial   PRIMARY KEY,
    project     text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    summary     jsonb       NOT NULL
);

-- The current state: the latest version of each object that is not removed.
CREATE VIEW strata_current_objects AS
SELECT DISTINCT ON (project, kind, name) project, kind, name, version, content_hash, spec, removed, applied_at
FROM strata_objects
ORDER BY project, kind, name, version DESC;

-- Materialisation progress per online feature view.
CREATE TABLE strata_watermarks (
    project     text        NOT NULL,
    view_name   text        NOT NULL,
    watermark   timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project, view_name)
);
