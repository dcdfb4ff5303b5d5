-- Registered models: every version, with what it was trained on and how it did.
CREATE TABLE strata_models (
    project      text        NOT NULL,
    name         text        NOT NULL,
    version      integer     NOT NULL CHECK (version > 0),
    algorithm    text        NOT NULL,
    parameters   jsonb       NOT NULL,
    features     jsonb       NOT NULL,
    label        text        NOT NULL,
    training_set text        NOT NULL,
    metrics      jsonb       NOT NULL,
    artifact     bytea       NOT NULL,
    stage        text        NOT NULL DEFAULT 'none' CHECK (stage IN ('none', 'staging', 'production', 'archived')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project, name, version)
);
