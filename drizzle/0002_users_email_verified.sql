ALTER TABLE "users" ADD COLUMN "email_verified_at" timestamp with time zone;--> statement-breakpoint
-- Accounts already linked to Google had their address proven by Google when they were linked.
UPDATE "users" SET "email_verified_at" = "updated_at" WHERE "google_subject" IS NOT NULL;
