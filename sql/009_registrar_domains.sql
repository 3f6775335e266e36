-- A registrar's domains in name order (the registrar workbench lists them, a page at a time): the
-- (registrar, name) index replaces the registrar-only one, which it serves as well, so imports
-- keep the same number of indexes to write.
drop index domains_registrar;
create index domains_registrar_name on domains (registrar_iana_id, ldh_name collate "C");
