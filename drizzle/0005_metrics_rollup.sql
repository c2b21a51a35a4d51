CREATE TABLE "metrics_rollup_state" (
	"name" text PRIMARY KEY NOT NULL,
	"covered_from" timestamp with time zone NOT NULL,
	"covered_to" timestamp with time zone NOT NULL,
	"dirty_from" timestamp with time zone,
	"dirty_version" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metrics_user_activity" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"last_active_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "security_event_counts_hourly" (
	"hour" timestamp with time zone NOT NULL,
	"event_type" text NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "security_event_counts_hourly_hour_event_type_pk" PRIMARY KEY("hour","event_type")
);
--> statement-breakpoint
CREATE INDEX "metrics_user_activity_last_active_idx" ON "metrics_user_activity" USING btree ("last_active_at");