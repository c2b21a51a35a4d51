CREATE TABLE "security_events_archive" (
	"id" bigint PRIMARY KEY NOT NULL,
	"event_type" text NOT NULL,
	"severity" text NOT NULL,
	"user_id" uuid,
	"token_id" uuid,
	"ip_address" text,
	"user_agent" text,
	"country" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cron_runs" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
-- Hand-written: runs the old code left `running` (killed mid-way, nothing ever marked them) would break
-- the one-running-row-per-job index below; they are what the new code calls interrupted. A run of the
-- old code still going while this applies loses nothing: its last UPDATE sets its status by id.
UPDATE "cron_runs" SET "status" = 'interrupted' WHERE "status" = 'running';--> statement-breakpoint
CREATE INDEX "security_events_archive_created_brin" ON "security_events_archive" USING brin ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "cron_runs_one_running_idx" ON "cron_runs" USING btree ("job") WHERE "cron_runs"."status" = 'running';--> statement-breakpoint
CREATE INDEX "cron_runs_job_started_idx" ON "cron_runs" USING btree ("job","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "cron_runs_started_idx" ON "cron_runs" USING btree ("started_at");--> statement-breakpoint
ALTER TABLE "cron_runs" ADD CONSTRAINT "cron_runs_status_check" CHECK ("cron_runs"."status" in ('running', 'succeeded', 'partial', 'failed', 'interrupted', 'skipped'));