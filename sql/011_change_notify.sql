-- Changes to registration data are announced (NOTIFY rdds_changes) when they commit, so that caches
-- of public answers drop them: the names of the domains a statement changed, or '*' when it changed
-- many, or something several answers are built from (contacts, registrars, hosts, TLDs).
create function rdds_notify_domains() returns trigger language plpgsql as $$
declare
  names text;
begin
  select case when count(*) > 100 then '*' else string_agg(ldh_name, ',') end into names from changed;
  if names is not null then
    perform pg_notify('rdds_changes', names);
  end if;
  return null;
end
$$;
create function rdds_notify_all() returns trigger language plpgsql as $$
begin
  perform pg_notify('rdds_changes', '*');
  return null;
end
$$;
create trigger domains_notify_insert after insert on domains
  referencing new table as changed for each statement execute function rdds_notify_domains();
create trigger domains_notify_update after update on domains
  referencing old table as changed for each statement execute function rdds_notify_domains();
create trigger domains_notify_delete after delete on domains
  referencing old table as changed for each statement execute function rdds_notify_domains();
create trigger contacts_notify after insert or update or delete on contacts
  for each statement execute function rdds_notify_all();
create trigger registrars_notify after insert or update or delete on registrars
  for each statement execute function rdds_notify_all();
create trigger hosts_notify after insert or update or delete on hosts
  for each statement execute function rdds_notify_all();
create trigger domains_notify_truncate after truncate on domains
  for each statement execute function rdds_notify_all();
