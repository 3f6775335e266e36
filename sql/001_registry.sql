-- The registry's data of record: registrars, contacts, hosts (name servers) and domains.
-- Statuses are stored as EPP values (RFC 5731/5732); RDAP names are mapped at rendering (RFC 8056).

create table registrars (
  iana_id         integer primary key check (iana_id > 0),
  handle          text not null unique,
  name            text not null,
  url             text,
  whois_server    text,
  rdap_base_url   text,
  abuse_email     text,
  abuse_phone     text,
  street          text[] not null default '{}',
  city            text,
  state_province  text,
  postal_code     text,
  country_code    char(2),
  phone           text,
  email           text,
  status          text not null default 'active' check (status in ('active', 'suspended', 'terminated')),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz
);

create table contacts (
  roid               text primary key,
  name               text,
  organization       text,
  street             text[] not null default '{}',
  city               text,
  state_province     text,
  postal_code        text,
  country_code       char(2),
  phone              text,
  phone_ext          text,
  fax                text,
  fax_ext            text,
  email              text,
  person_kind        text not null default 'natural' check (person_kind in ('natural', 'legal')),
  -- per-field consent to publish (Temporary Specification App. A 2.3), with when it was given
  consent            text[] not null default '{}'
                       check (consent <@ array['name', 'organization', 'address', 'phone', 'email']),
  consent_at         timestamptz,
  registrar_iana_id  integer not null references registrars (iana_id),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz
);

create table hosts (
  roid               text primary key,
  ldh_name           text not null unique,
  unicode_name       text,
  ipv4               text[] not null default '{}',
  ipv6               text[] not null default '{}',
  statuses           text[] not null default '{ok}',
  registrar_iana_id  integer not null references registrars (iana_id),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz
);

create table domains (
  roid               text primary key,
  ldh_name           text not null unique,
  unicode_name       text,
  registrar_iana_id  integer not null references registrars (iana_id),
  statuses           text[] not null default '{ok}',
  created_at         timestamptz not null,
  updated_at         timestamptz,
  expires_at         timestamptz not null,
  transferred_at     timestamptz,
  registrant_roid    text references contacts (roid),
  admin_roid         text references contacts (roid),
  tech_roid          text references contacts (roid),
  billing_roid       text references contacts (roid),
  -- name servers by host name, in delegation order; in-zone ones also exist in hosts
  nameservers        text[] not null default '{}',
  delegation_signed  boolean not null default false,
  ds_data            jsonb not null default '[]',
  key_data           jsonb not null default '[]'
);
