-- The tier history keeps changes from one tier to another only. A customer's first tier under a
-- model was a row of its own (from_tier NULL): a bank's first evaluation wrote every tier twice,
-- eight million history rows at a million customers, and every later change went into a key that
-- size. The first tier is kept all the same: it is the tier the first change ended (from_tier,
-- from_since, from_version of that change), or the current tier while none has come (see
-- tiersOnDate and customerTierHistory in tiering.sql.ts). Nothing is lost by removing those rows.
DELETE FROM tier_history WHERE from_tier IS NULL;
ALTER TABLE tier_history
  ALTER COLUMN from_tier SET NOT NULL,
  ALTER COLUMN from_since SET NOT NULL,
  ALTER COLUMN from_version SET NOT NULL;
