-- Delivery state of the CAEP transmitter (schema cordon_caep, managed by Flyway).
-- One row per (receiver, REVOKE command): the signed SET is stored once, so every delivery attempt,
-- before or after a restart, sends the very same bytes with the same jti.
CREATE TABLE set_delivery (
    id              BIGSERIAL PRIMARY KEY,                 -- insertion order: the order SETs are offered in
    jti             TEXT        NOT NULL UNIQUE,           -- deterministic (receiver, commandId): a re-read command inserts nothing
    receiver        TEXT        NOT NULL,
    command_id      TEXT        NOT NULL,
    session_id      TEXT        NOT NULL,
    set_jws         TEXT        NOT NULL,
    status          TEXT        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts        INT         NOT NULL DEFAULT 0,        -- push: POSTs tried; poll: times handed out
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),    -- push: retry time; poll: when an unacknowledged SET is offered again
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at    TIMESTAMPTZ,
    UNIQUE (receiver, command_id)
);
CREATE INDEX set_delivery_due ON set_delivery (receiver, next_attempt_at, id) WHERE status = 'PENDING';

-- Position in revocation-commands, written in the same transaction as the rows above.
CREATE TABLE consumed_offsets (
    topic       TEXT   NOT NULL,
    partition   INT    NOT NULL,
    next_offset BIGINT NOT NULL,
    PRIMARY KEY (topic, partition)
);
