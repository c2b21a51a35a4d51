CREATE TABLE "security_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"type" text NOT NULL,
	"severity" text NOT NULL,
	"subject" text NOT NULL,
	"user_id" uuid,
	"ip" text,
	"count" integer DEFAULT 1 NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	CONSTRAINT "security_alerts_status_check" CHECK ("security_alerts"."status" in ('open', 'acknowledged', 'resolved'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "security_alerts_open_fold_idx" ON "security_alerts" USING btree ("type","subject") WHERE "security_alerts"."status" = 'open';--> statement-breakpoint
CREATE INDEX "security_alerts_status_last_seen_idx" ON "security_alerts" USING btree ("status","last_seen" DESC NULLS LAST);