-- Exact lookups use the unique indexes (O(log n)); these serve prefix searches ('exa*') and the
-- joins from a contact or registrar to its objects.
create index domains_ldh_prefix on domains (ldh_name text_pattern_ops);
create index domains_unicode_name on domains (unicode_name) where unicode_name is not null;
create index domains_registrar on domains (registrar_iana_id);
create index domains_registrant on domains (registrant_roid);
create index hosts_ldh_prefix on hosts (ldh_name text_pattern_ops);
create index contacts_registrar on contacts (registrar_iana_id);
