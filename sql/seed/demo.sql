-- The demo registry under the reserved TLD "example" (RFC 2606). The embedded default loads it
-- into an empty database. Keep these names stable: tests, the README and the checks depend on them:
--   privacy.example        natural person in the EU, no consent to publish
--   company.example        legal person
--   consent.example        natural person who consented to publish name and e-mail
--   xn--bcher-kva.example  IDN (bücher.example)
--   signed.example         DNSSEC
--   xn--fsqy19h.xn--kpry57d  IDN under an IDN TLD (範例.台灣)

insert into registrars (iana_id, handle, name, url, whois_server, rdap_base_url, abuse_email, abuse_phone,
                        street, city, state_province, postal_code, country_code, phone, email, created_at, updated_at)
values
  (1001, '1001', 'Example Registrar, Inc.', 'https://www.registrar-one.example', 'whois.registrar-one.example',
   'https://rdap.registrar-one.example/', 'abuse@registrar-one.example', '+1.5555550100',
   '{"100 Main Street"}', 'Springfield', 'IL', '62701', 'US', '+1.5555550101', 'info@registrar-one.example',
   '2015-03-02T09:00:00Z', '2024-05-01T08:00:00Z'),
  (1002, '1002', 'Nordic Names AB', 'https://www.nordicnames.example', 'whois.nordicnames.example',
   'https://rdap.nordicnames.example/', 'abuse@nordicnames.example', '+46.8123450',
   '{"Sveavägen 1"}', 'Stockholm', 'AB', '11157', 'SE', '+46.8123451', 'info@nordicnames.example',
   '2016-06-10T09:00:00Z', null),
  (1003, '1003', 'Pacific Domains Ltd.', 'https://www.pacificdomains.example', 'whois.pacificdomains.example',
   'https://rdap.pacificdomains.example/', 'abuse@pacificdomains.example', '+886.223456789',
   '{"No. 1, Sec. 5, Xinyi Rd."}', 'Taipei', 'TPE', '110', 'TW', '+886.223456780', 'info@pacificdomains.example',
   '2017-01-20T09:00:00Z', null);

insert into contacts (roid, name, organization, street, city, state_province, postal_code, country_code,
                      phone, phone_ext, fax, fax_ext, email, person_kind, consent, consent_at,
                      registrar_iana_id, created_at, updated_at)
values
  ('C1001-EXAMPLE', 'Erika Mustermann', null, '{"Heidestraße 17", "Hinterhaus"}', 'Köln', 'NW', '51147', 'DE',
   '+49.2214711', '12', '+49.2214712', null, 'erika.mustermann@mail.example', 'natural', '{}', null,
   1001, '2019-04-01T10:00:00Z', '2024-02-01T10:00:00Z'),
  ('C1002-EXAMPLE', 'Hostmaster', 'Example Company Ltd.', '{"1 Canal Street"}', 'Manchester', 'Greater Manchester',
   'M1 3HE', 'GB', '+44.1612345678', null, null, null, 'hostmaster@company.example', 'legal', '{}', null,
   1002, '2018-09-12T10:00:00Z', null),
  ('C1003-EXAMPLE', 'Jan Novák', null, '{"Václavské náměstí 1"}', 'Praha', 'Praha', '11000', 'CZ',
   '+420.221234567', null, null, null, 'jan.novak@mail.example', 'natural', '{name,email}',
   '2023-01-15T12:00:00Z', 1002, '2020-02-02T10:00:00Z', '2023-01-15T12:00:00Z'),
  ('C1004-EXAMPLE', 'Lena Huber', 'Bücherstube Huber', '{"Mariahilfer Straße 88"}', 'Wien', 'Wien', '1070', 'AT',
   '+43.15551234', null, null, null, 'lena.huber@buecher.example', 'natural', '{}', null,
   1001, '2021-07-07T10:00:00Z', null),
  ('C1005-EXAMPLE', 'Taylor Quinn', null, '{"500 Market Street"}', 'San Francisco', 'CA', '94105', 'US',
   '+1.4155550123', null, null, null, 'taylor.quinn@mail.example', 'natural', '{}', null,
   1003, '2022-03-03T10:00:00Z', null),
  ('C1006-EXAMPLE', '陳美玲', null, '{"忠孝東路四段 100 號"}', '臺北市', 'TPE', '106', 'TW',
   '+886.227001234', null, null, null, 'meiling.chen@mail.example', 'natural', '{}', null,
   1003, '2023-05-05T10:00:00Z', null),
  ('C2001-EXAMPLE', 'Domain Operations', 'Example Registrar, Inc.', '{"100 Main Street"}', 'Springfield', 'IL',
   '62701', 'US', '+1.5555550102', null, null, null, 'dns-ops@registrar-one.example', 'legal', '{}', null,
   1001, '2015-03-02T09:00:00Z', null),
  ('C2002-EXAMPLE', 'Nordic Tech Desk', 'Nordic Names AB', '{"Sveavägen 1"}', 'Stockholm', 'AB', '11157', 'SE',
   '+46.8123452', null, null, null, 'tech@nordicnames.example', 'legal', '{}', null,
   1002, '2016-06-10T09:00:00Z', null),
  ('C2003-EXAMPLE', 'Pacific NOC', 'Pacific Domains Ltd.', '{"No. 1, Sec. 5, Xinyi Rd."}', 'Taipei', 'TPE', '110',
   'TW', '+886.223456781', null, null, null, 'noc@pacificdomains.example', 'legal', '{}', null,
   1003, '2017-01-20T09:00:00Z', null);

insert into hosts (roid, ldh_name, unicode_name, ipv4, ipv6, statuses, registrar_iana_id, created_at, updated_at)
values
  ('H1-EXAMPLE', 'ns1.nic.example', null, '{"193.0.9.53"}', '{"2001:67c:2e8:11::c100:1353"}', '{linked}', 1001,
   '2015-03-02T09:00:00Z', null),
  ('H2-EXAMPLE', 'ns2.nic.example', null, '{"194.0.28.53"}', '{"2001:678:20::53"}', '{linked}', 1001,
   '2015-03-02T09:00:00Z', null),
  ('H3-EXAMPLE', 'ns1.company.example', null, '{"195.66.240.130"}', '{}', '{linked}', 1002,
   '2018-09-12T10:00:00Z', null);

insert into domains (roid, ldh_name, unicode_name, registrar_iana_id, statuses, created_at, updated_at, expires_at,
                     transferred_at, registrant_roid, admin_roid, tech_roid, billing_roid, nameservers,
                     delegation_signed, ds_data, key_data)
values
  ('D1001-EXAMPLE', 'privacy.example', null, 1001, '{clientTransferProhibited}', '2019-04-01T10:00:00Z',
   '2024-02-01T10:00:00Z', '2027-04-01T10:00:00Z', null, 'C1001-EXAMPLE', 'C1001-EXAMPLE', 'C2001-EXAMPLE',
   'C1001-EXAMPLE', '{ns1.nic.example,ns2.nic.example}', false, '[]', '[]'),
  ('D1002-EXAMPLE', 'company.example', null, 1002, '{ok}', '2018-09-12T10:00:00Z', null, '2027-09-12T10:00:00Z',
   '2020-01-10T10:00:00Z', 'C1002-EXAMPLE', 'C1002-EXAMPLE', 'C2002-EXAMPLE', null,
   '{ns1.company.example,ns2.nic.example}', false, '[]', '[]'),
  ('D1003-EXAMPLE', 'consent.example', null, 1002, '{clientTransferProhibited,clientDeleteProhibited}',
   '2020-02-02T10:00:00Z', '2023-01-15T12:00:00Z', '2026-12-02T10:00:00Z', null, 'C1003-EXAMPLE', null,
   'C2002-EXAMPLE', null, '{ns1.nic.example,ns2.nic.example}', false, '[]', '[]'),
  ('D1004-EXAMPLE', 'xn--bcher-kva.example', 'bücher.example', 1001, '{ok}', '2021-07-07T10:00:00Z', null,
   '2027-07-07T10:00:00Z', null, 'C1004-EXAMPLE', null, 'C2001-EXAMPLE', null,
   '{ns1.nic.example,ns2.nic.example}', false, '[]', '[]'),
  ('D1005-EXAMPLE', 'signed.example', null, 1003, '{serverTransferProhibited}', '2022-03-03T10:00:00Z',
   '2025-03-03T10:00:00Z', '2028-03-03T10:00:00Z', null, 'C1005-EXAMPLE', null, 'C2003-EXAMPLE', null,
   '{ns1.nic.example,ns2.nic.example}', true,
   '[{"keyTag": 30909, "algorithm": 13, "digestType": 2, "digest": "E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766"}]',
   '[]'),
  ('D1006-EXAMPLE', 'xn--fsqy19h.xn--kpry57d', '範例.台灣', 1003, '{ok}', '2023-05-05T10:00:00Z', null,
   '2027-05-05T10:00:00Z', null, 'C1006-EXAMPLE', null, 'C2003-EXAMPLE', null,
   '{ns1.nic.example,ns2.nic.example}', false, '[]', '[]');
