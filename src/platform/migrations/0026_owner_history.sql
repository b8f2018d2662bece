-- Who owned each customer on each business date (manager performance, issue 20: "the customers
-- they own as primary owner on B", churn among those "owned on A"). customer_owners holds only
-- today's assignments; the daily batch's owner_history step records them by business date as
-- intervals: an assignment held from from_date (the first business date whose batch saw it) until
-- to_date (the first business date whose batch no longer saw it; NULL while it holds). An
-- assignment made during the day counts from the next night's batch.
CREATE TABLE owner_history (
  customer_id text COLLATE "C" NOT NULL,  -- as customers.customer_id: co-located with it on Citus
  staff_id    text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('primary', 'co')),
  from_date   date NOT NULL,
  to_date     date,
  PRIMARY KEY (customer_id, staff_id, from_date),
  CHECK (to_date IS NULL OR to_date > from_date)
);
-- a staff member's customers on a date: the primary owner's intervals, read by staff
CREATE INDEX owner_history_staff_idx ON owner_history (staff_id, from_date) INCLUDE (to_date, kind);

-- The business dates the step recorded (a rerun of the newest undoes and records it again; an
-- older one is left alone) and what each changed.
CREATE TABLE owner_history_dates (
  business_date date PRIMARY KEY,
  opened        integer NOT NULL,
  closed        integer NOT NULL
);

-- What stands today, as from the business date on or before the day it was assigned (China time);
-- an assignment older than every loaded date counts from the first one. (Two statements: on Citus
-- the new table is still local here, and a subquery per row of a distributed table is refused.)
INSERT INTO owner_history (customer_id, staff_id, kind, from_date)
SELECT o.customer_id, o.staff_id, o.kind, (o.since AT TIME ZONE 'Asia/Shanghai')::date
  FROM customer_owners o;
DELETE FROM owner_history WHERE NOT EXISTS (SELECT 1 FROM business_dates);
UPDATE owner_history h
   SET from_date = coalesce((SELECT max(d.business_date) FROM business_dates d WHERE d.business_date <= h.from_date),
                            (SELECT min(d.business_date) FROM business_dates d));
