ALTER TABLE "sessions" ADD COLUMN "refresh_window_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "refreshes_in_window" integer DEFAULT 0 NOT NULL;