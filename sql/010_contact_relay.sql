-- The contact relay (Calzone: "an anonymized e-mail address or a web form" that reaches the contact).
-- An anonymized address carries 8 bytes of the SHA-256 of its domain's name: this index finds the
-- domain by them. (Names are LDH, so the text-to-bytea cast is the name's bytes.)
create index domains_name_key on domains (substr(sha256(ldh_name::bytea), 1, 8));

-- Every message the relay accepts, and the notices and confirmations it sends about them: stored
-- before the sender hears "250 OK", sent with retries, then kept as the record (time, domain,
-- role, sender, message id, size, outcome) without its body. The recipient's real address is
-- never stored: it is read from the contact when the message is delivered.
create table contact_messages (
  id               bigint generated always as identity primary key,
  kind             text not null check (kind in ('relay', 'notice', 'confirmation')),
  via              text not null check (via in ('smtp', 'form', 'relay')),
  received_at      timestamptz not null default now(),
  ldh_name         text not null,
  role             text not null,
  contact_roid     text,
  -- the sender's address (relayed mail), or the address a notice or confirmation goes to
  sender           text not null,
  message_id       text not null,
  size             integer not null,
  state            text not null check (state in ('unconfirmed', 'queued', 'sent', 'failed', 'discarded')),
  attempts         integer not null default 0,
  next_attempt_at  timestamptz,
  last_error       text,
  finished_at      timestamptz,
  confirm_token    text unique,
  -- the message as received (or as composed); dropped once it is sent or given up
  raw              bytea
);
create index contact_messages_due on contact_messages (next_attempt_at) where state = 'queued';
create index contact_messages_sender on contact_messages (sender, received_at) where kind = 'relay';
create index contact_messages_recipient on contact_messages (ldh_name, role, received_at) where kind = 'relay';
create index contact_messages_received on contact_messages (received_at);
