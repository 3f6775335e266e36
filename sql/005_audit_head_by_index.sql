-- disclosures_append() finds the chain's head with "order by id desc limit 1", and each connection
-- keeps the plan it made first. Made while the table was known to be empty (vacuumed before anything
-- was disclosed, as after an import), that plan is a sequential scan and a sort, and every later
-- append on the connection would read the whole, ever-growing table. The head is the last entry of
-- the primary key whatever the table's size: the function plans without sequential scans.
alter function disclosures_append(text, jsonb) set enable_seqscan = off;
