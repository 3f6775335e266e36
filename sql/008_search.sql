-- Searches (RFC 9082 §3.2, RFC 9536): every pattern a search accepts is answered from an index.
-- Names sort and page in "C" order (byte order, the same on every server and on PGlite): a prefix
-- ('exa*') is then a range of the C btree, walked in order, so a page stops after its last row.
-- Other patterns ('*pay*', '*@example.com') use trigram GIN indexes. pg_trgm is a trusted
-- extension (PostgreSQL 13+) and PGlite ships it; it lives in public so every schema can name it.
create extension if not exists pg_trgm with schema public;

drop index domains_ldh_prefix;
drop index hosts_ldh_prefix;
create index domains_ldh_c on domains (ldh_name collate "C");
create index hosts_ldh_c on hosts (ldh_name collate "C");
create index domains_ldh_trgm on domains using gin (ldh_name public.gin_trgm_ops);
create index domains_unicode_c on domains (unicode_name collate "C") where unicode_name is not null;
create index domains_unicode_trgm on domains using gin (unicode_name public.gin_trgm_ops) where unicode_name is not null;
create index hosts_ldh_trgm on hosts using gin (ldh_name public.gin_trgm_ops);

-- Domains by name server: each (name server, domain) pair, kept by statement triggers on domains, so
-- that the domains of one name server are a range of a btree in name order: a page of a server that
-- serves 80,000 domains reads its page's rows, as one of a server that serves three.
create table domain_nameservers (
  ns_name   text not null,
  ldh_name  text collate "C" not null,
  primary key (ns_name, ldh_name)
);
insert into domain_nameservers (ns_name, ldh_name)
  select distinct unnest(nameservers), ldh_name from domains;
create index domain_nameservers_domain on domain_nameservers (ldh_name);

create function domain_nameservers_added() returns trigger language plpgsql as $$
begin
  insert into domain_nameservers (ns_name, ldh_name)
    select distinct unnest(n.nameservers), n.ldh_name from added n
  on conflict do nothing;
  return null;
end
$$;
create function domain_nameservers_changed() returns trigger language plpgsql as $$
begin
  delete from domain_nameservers p using before_change o join after_change n on n.roid = o.roid
   where p.ldh_name = o.ldh_name
     and (o.nameservers is distinct from n.nameservers or o.ldh_name is distinct from n.ldh_name);
  insert into domain_nameservers (ns_name, ldh_name)
    select distinct unnest(n.nameservers), n.ldh_name
      from after_change n join before_change o on o.roid = n.roid
     where o.nameservers is distinct from n.nameservers or o.ldh_name is distinct from n.ldh_name
  on conflict do nothing;
  return null;
end
$$;
create function domain_nameservers_removed() returns trigger language plpgsql as $$
begin
  delete from domain_nameservers p using removed o where p.ldh_name = o.ldh_name;
  return null;
end
$$;
create trigger domains_nameservers_added after insert on domains
  referencing new table as added for each statement execute function domain_nameservers_added();
create trigger domains_nameservers_changed after update on domains
  referencing old table as before_change new table as after_change
  for each statement execute function domain_nameservers_changed();
create trigger domains_nameservers_removed after delete on domains
  referencing old table as removed for each statement execute function domain_nameservers_removed();

-- name servers by address, and domains by glue given with them
create index domains_glue on domains using gin (host_attrs jsonb_path_ops);
create index hosts_ipv4 on hosts using gin (ipv4);
create index hosts_ipv6 on hosts using gin (ipv6);

-- entities and reverse searches match case-insensitively, on lower() of the property: prefixes in
-- its "C" order, other patterns by trigrams
create index contacts_name_c on contacts ((lower(name) collate "C"));
create index contacts_name_trgm on contacts using gin (lower(name) public.gin_trgm_ops);
create index contacts_email_trgm on contacts using gin (lower(email) public.gin_trgm_ops);
create index contacts_email_c on contacts ((lower(email) collate "C"));
create index contacts_roid_c on contacts ((roid collate "C"));
create index registrars_name_trgm on registrars using gin (lower(name) public.gin_trgm_ops);

-- a search in the disclosure log: the number of objects it found (null for a lookup's row)
alter table disclosures add column result_count integer check (result_count >= 0);

-- as sql/006, with the count
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
                           object_handle, fields, policy_name, policy_version, result_count, prev_hash, hash)
  select coalesce(last_id, 0) + n, (r->>'at')::timestamptz, r->>'requestId', r->>'issuer', r->>'subject',
         r->>'accreditationId', r->>'audience', r->>'purpose', r->>'objectClass', r->>'objectHandle',
         array(select jsonb_array_elements_text(r->'fields')), r->>'policyName', (r->>'policyVersion')::int,
         (r->>'resultCount')::int, r->>'prevHash', r->>'hash'
    from jsonb_array_elements(batch) with ordinality as t(r, n)
   order by n;
  return null;
end
$$;
alter function disclosures_append(text, jsonb) set enable_seqscan = off;
