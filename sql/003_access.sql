-- Tiered access: who is accredited for what, and the record of every non-public disclosure.

create table accreditations (
  id           text primary key,
  holder       text not null,
  issuer       text not null,
  purposes     text[] not null
                 check (purposes <@ array['law-enforcement', 'cybersecurity', 'ip-protection', 'consumer-protection']),
  valid_from   timestamptz not null default now(),
  valid_until  timestamptz,
  status       text not null default 'active' check (status in ('active', 'suspended', 'revoked')),
  created_at   timestamptz not null default now(),
  updated_at   timestamptz
);

-- Append-only and hash-chained: each row's hash covers its content and the previous row's hash.
create table disclosures (
  id                bigserial primary key,
  at                timestamptz not null,
  request_id        text not null,
  issuer            text,
  subject           text,
  accreditation_id  text,
  audience          text not null,
  purpose           text,
  object_class      text not null,
  object_handle     text not null,
  fields            text[] not null,
  policy_name       text not null,
  policy_version    integer not null,
  prev_hash         text not null,
  hash              text not null unique
);
create index disclosures_subject on disclosures (subject, at);
create index disclosures_object on disclosures (object_handle, at);
create index disclosures_at on disclosures (at);

create function disclosures_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'disclosures is append-only';
end
$$;
create trigger disclosures_no_update before update or delete on disclosures
  for each row execute function disclosures_append_only();
