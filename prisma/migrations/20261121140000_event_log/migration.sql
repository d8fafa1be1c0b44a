-- The event log: the relay numbers each event when it publishes it. Numbers are handed out under
-- an advisory lock held until commit, so they become visible in order and a reader paging with
-- `log_sequence > after` never skips one that commits later.
CREATE SEQUENCE "event_log_sequence";
ALTER TABLE "outbox_events" ADD COLUMN "log_sequence" BIGINT;
ALTER TABLE "outbox_events" ADD COLUMN "trace_context" TEXT;
ALTER SEQUENCE "event_log_sequence" OWNED BY "outbox_events"."log_sequence";
CREATE UNIQUE INDEX "outbox_events_log_sequence_key" ON "outbox_events"("log_sequence");
CREATE INDEX "outbox_events_event_type_log_sequence_idx" ON "outbox_events"("event_type", "log_sequence");

-- Hand-added partial indexes (Prisma's schema language cannot express them): the relay's claim
-- only ever looks at unpublished rows, which stay few however long the log grows.
DROP INDEX "outbox_events_published_at_sequence_idx";
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events"("sequence") WHERE "published_at" IS NULL;
CREATE INDEX "outbox_events_unpublished_aggregate_idx"
    ON "outbox_events"("aggregate_type", "aggregate_id", "sequence") WHERE "published_at" IS NULL;

-- Wakes the relay on commit (LISTEN outbox_events); one notification per inserting statement.
CREATE FUNCTION "notify_outbox_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_events', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER "outbox_events_notify" AFTER INSERT ON "outbox_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "notify_outbox_events"();

-- Consumers: what each consumer (group) has applied, written in the same transaction as the effect.
CREATE TABLE "processed_events" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer", "event_id")
);

CREATE TABLE "loyalty_accounts" (
    "consumer" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "loyalty_accounts_pkey" PRIMARY KEY ("consumer", "customer_id")
);

-- Points for one order or booking: PENDING once placed/held, AWARDED on confirmation, REVOKED on
-- refund or cancellation.
CREATE TABLE "loyalty_awards" (
    "consumer" TEXT NOT NULL,
    "aggregate_type" TEXT NOT NULL,
    "aggregate_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "loyalty_awards_pkey" PRIMARY KEY ("consumer", "aggregate_type", "aggregate_id"),
    CONSTRAINT "loyalty_awards_status" CHECK ("status" IN ('PENDING', 'AWARDED', 'REVOKED'))
);

CREATE TABLE "order_views" (
    "consumer" TEXT NOT NULL,
    "aggregate_type" TEXT NOT NULL,
    "aggregate_id" TEXT NOT NULL,
    "customer_id" TEXT,
    "status" TEXT NOT NULL,
    "total_cents" INTEGER,
    "details" JSONB NOT NULL DEFAULT '{}',
    "last_event_type" TEXT NOT NULL,
    "last_sequence" BIGINT NOT NULL,
    "event_count" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_views_pkey" PRIMARY KEY ("consumer", "aggregate_type", "aggregate_id")
);
