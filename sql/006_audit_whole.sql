-- The disclosure log stays whole, or its checkpoints show that it was not.

-- Row triggers do not fire for TRUNCATE, nor for a DELETE or UPDATE that matches no row: statement
-- triggers refuse those too, for every role that does not first disable the table's triggers
-- (a superuser or the table's owner can; README: "What the audit log proves").
create trigger disclosures_no_truncate before truncate on disclosures
  for each statement execute function disclosures_append_only();
create trigger disclosures_no_change before update or delete on disclosures
  for each statement execute function disclosures_append_only();

-- Ids are given under the chain's lock, each one more than the last: a sequence leaves a gap for
-- every insert rolled back (a connection cut mid-append), and a gap must mean a deleted row.
create or replace function disclosures_append(expected_prev text, batch jsonb) returns text language plpgsql as $$
declare
  head text;
  last_id bigint;
begin
  perform pg_advisory_xact_lock(4343081);
  select id, hash into last_id, head from disclosures order by id desc limit 1;
  head := coalesce(head, repeat('0', 64));
  if head <> expected_prev then
    return head;
  end if;
  insert into disclosures (id, at, request_id, issuer, subject, accreditation_id, audience, purpose, object_class,
                           object_handle, fields, policy_name, policy_version, prev_hash, hash)
  select coalesce(last_id, 0) + n, (r->>'at')::timestamptz, r->>'requestId', r->>'issuer', r->>'subject',
         r->>'accreditationId', r->>'audience', r->>'purpose', r->>'objectClass', r->>'objectHandle',
         array(select jsonb_array_elements_text(r->'fields')), r->>'policyName', (r->>'policyVersion')::int,
         r->>'prevHash', r->>'hash'
    from jsonb_array_elements(batch) with ordinality as t(r, n)
   order by n;
  return null;
end
$$;
alter function disclosures_append(text, jsonb) set enable_seqscan = off;

-- Who changed an accreditation, when, and from where; append-only like the disclosure log.
create table accreditation_changes (
  id                bigserial primary key,
  accreditation_id  text not null,
  at                timestamptz not null default now(),
  action            text not null check (action in ('add', 'suspend', 'revoke', 'activate')),
  status            text not null,
  operator          text not null,
  host              text not null,
  detail            jsonb not null default '{}'
);
create index accreditation_changes_by_id on accreditation_changes (accreditation_id, id);

create function refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only', tg_table_name;
end
$$;
create trigger accreditation_changes_no_update before update or delete on accreditation_changes
  for each row execute function refuse_change();
create trigger accreditation_changes_no_change before update or delete or truncate on accreditation_changes
  for each statement execute function refuse_change();
