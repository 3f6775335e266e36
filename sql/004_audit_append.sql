-- Appending disclosure rows in one round trip: the server computes each row's hash from the head it
-- last saw; this function takes the chain's lock, and inserts only if that head is still the head.
-- Otherwise it inserts nothing and returns the real head, and the server rehashes and tries again.
create function disclosures_append(expected_prev text, batch jsonb) returns text language plpgsql as $$
declare
  head text;
begin
  perform pg_advisory_xact_lock(4343081);
  select hash into head from disclosures order by id desc limit 1;
  head := coalesce(head, repeat('0', 64));
  if head <> expected_prev then
    return head;
  end if;
  insert into disclosures (at, request_id, issuer, subject, accreditation_id, audience, purpose, object_class,
                           object_handle, fields, policy_name, policy_version, prev_hash, hash)
  select (r->>'at')::timestamptz, r->>'requestId', r->>'issuer', r->>'subject', r->>'accreditationId',
         r->>'audience', r->>'purpose', r->>'objectClass', r->>'objectHandle',
         array(select jsonb_array_elements_text(r->'fields')), r->>'policyName', (r->>'policyVersion')::int,
         r->>'prevHash', r->>'hash'
    from jsonb_array_elements(batch) with ordinality as t(r, n)
   order by n;
  return null;
end
$$;
