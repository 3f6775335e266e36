-- Registry data in: what RFC 9022 deposits and the ingest API carry beyond the first model, the
-- TLDs served, the staging area of imports, and the record of every load and change.

-- The EPP identifier a domain uses to name its contacts (RFC 5733 contact:id); the ROID stays the
-- key. Rows written without one (the synthetic seed, hand-written SQL) use their ROID.
alter table contacts add column handle text;
update contacts set handle = roid;
alter table contacts alter column handle set not null;
create unique index contacts_handle on contacts (handle);
create function contacts_default_handle() returns trigger language plpgsql as $$
begin
  new.handle := coalesce(new.handle, new.roid);
  return new;
end $$;
create trigger contacts_default_handle before insert on contacts
  for each row execute function contacts_default_handle();
-- the localized (loc) postal info beside the internationalized one the columns hold (RFC 5733 §2.4)
alter table contacts add column postal_loc jsonb;
alter table contacts add column statuses text[] not null default '{}';

-- name servers given as attributes (RFC 5731 §1.1 hostAttr): [{name, ipv4, ipv6}], also in nameservers
alter table domains add column host_attrs jsonb not null default '[]';
alter table domains add column idn_table_id text;
-- a contact is deleted or replaced only where no domain still names it: these find them
create index domains_admin on domains (admin_roid);
create index domains_tech on domains (tech_roid);
create index domains_billing on domains (billing_roid);
create index hosts_registrar on hosts (registrar_iana_id);
alter table registrars add column fax text;

-- RFC 9022 §5.6 IDN table references and §5.7 NNDNs (names not in the domain table)
create table idn_tables (
  id          text primary key,
  url         text not null,
  url_policy  text
);
create table nndns (
  a_name         text primary key,
  u_name         text,
  idn_table_id   text,
  original_name  text,
  name_state     text not null check (name_state in ('blocked', 'withheld', 'mirrored')),
  mirroring_ns   text[] not null default '{}',
  created_at     timestamptz
);

-- The TLDs this registry serves: every TLD any domain was ever written under, and each TLD a deposit
-- names in its header. Kept by a statement trigger, so every writer (seed, import, ingest) feeds it.
create table tlds (
  ldh_name  text primary key
);
insert into tlds select distinct substring(ldh_name from '[^.]+$') from domains on conflict do nothing;
create function domains_add_tlds() returns trigger language plpgsql as $$
begin
  insert into tlds select distinct substring(ldh_name from '[^.]+$') from added
    on conflict do nothing;
  return null;
end $$;
create trigger domains_add_tlds after insert on domains referencing new table as added
  for each statement execute function domains_add_tlds();

-- A deposit's objects while it is read, keyed by run: checked, then switched in in one transaction.
-- Rows of a run that died (a killed import) are cleared by the next import after a day.
create sequence import_runs;
create table import_stage (
  run_id     bigint not null,
  kind       text not null,
  key        text not null,
  line       integer not null,
  row        jsonb not null,
  staged_at  timestamptz not null default now(),
  primary key (run_id, kind, key)
);

-- Every load of registry data (the demo, each deposit) and every change pushed through the ingest
-- API: who, what, when; never a personal value.
create table registry_loads (
  id          bigserial primary key,
  at          timestamptz not null default now(),
  kind        text not null check (kind in ('demo', 'FULL', 'DIFF')),
  deposit_id  text,
  tlds        text[] not null default '{}',
  counts      jsonb not null default '{}',
  operator    text,
  host        text
);
create table registry_changes (
  id            bigserial primary key,
  at            timestamptz not null default now(),
  issuer        text not null,
  subject       text not null,
  action        text not null check (action in ('put', 'delete')),
  object_class  text not null check (object_class in ('domain', 'host', 'contact', 'registrar')),
  object_key    text not null,
  updated_at    timestamptz not null
);
-- a stale PUT after a DELETE is found by the delete's time
create index registry_changes_object on registry_changes (object_class, object_key, updated_at desc);
