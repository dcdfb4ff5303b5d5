-- Saved training sets: the rows as they were built, and their lineage, so that a model's training
-- data can be fetched again, identical, after new data has arrived.
CREATE TABLE strata_saved_sets (
    project     text        NOT NULL,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    lineage     jsonb       NOT NULL,
    columns     jsonb       NOT NULL,
    data_table  text        NOT NULL UNIQUE,
    PRIMARY KEY (project, name)
);

CREATE SEQUENCE strata_saved_set_ids;
