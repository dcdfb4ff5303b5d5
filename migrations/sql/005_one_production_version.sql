-- At most one production version per model. `models promote` archives the previous production version in
-- the same transaction, under the model's lock; this index makes a second one impossible whatever the
-- writer. Where earlier, unlocked promotions left several, the highest version stays in production and
-- the others are archived.
UPDATE strata_models m SET stage = 'archived'
WHERE m.stage = 'production'
  AND EXISTS (
      SELECT 1 FROM strata_models n
      WHERE n.project = m.project AND n.name = m.name AND n.stage = 'production' AND n.version > m.version);

CREATE UNIQUE INDEX strata_models_one_production ON strata_models (project, name) WHERE stage = 'production';
