CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"device_name" text,
	"device_fingerprint" text,
	"ip_address" text,
	"user_agent" text,
	"country" text,
	"city" text,
	"latitude" double precision,
	"longitude" double precision,
	"asn" integer,
	"colo" text,
	"created_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"idle_expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text
);
--> statement-breakpoint
-- Every session that exists today is a family of token rows. Its device and location are those of
-- its newest token (they were copied from row to row); it was last used when any of its tokens was;
-- it ends, if idle, when its newest unrotated token expires; and it is revoked if any of its tokens
-- is (the rule until now), at the first revocation and with that row's reason.
INSERT INTO "sessions" ("id", "user_id", "device_name", "device_fingerprint", "ip_address", "user_agent",
    "country", "city", "latitude", "longitude", "created_at", "last_used_at", "expires_at", "idle_expires_at",
    "revoked_at", "revoked_reason")
SELECT newest."session_id", newest."user_id", newest."device_name", newest."device_fingerprint", newest."ip_address",
       newest."user_agent", newest."country", newest."city", newest."latitude", newest."longitude",
       newest."session_created_at", family."last_used_at", newest."session_expires_at",
       LEAST(family."idle_expires_at", newest."session_expires_at"), first_revoked."revoked_at", first_revoked."revoked_reason"
  FROM (SELECT DISTINCT ON ("session_id") * FROM "refresh_tokens" ORDER BY "session_id", "created_at" DESC, "id") newest
  JOIN (SELECT "session_id", max("last_used_at") AS "last_used_at",
               coalesce(max("expires_at") FILTER (WHERE "rotated_at" IS NULL), max("expires_at")) AS "idle_expires_at"
          FROM "refresh_tokens" GROUP BY "session_id") family USING ("session_id")
  LEFT JOIN (SELECT DISTINCT ON ("session_id") "session_id", "revoked_at", "revoked_reason" FROM "refresh_tokens"
              WHERE "revoked_at" IS NOT NULL ORDER BY "session_id", "revoked_at") first_revoked USING ("session_id");
--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP CONSTRAINT "refresh_tokens_user_id_users_id_fk";
--> statement-breakpoint
DROP INDEX "refresh_tokens_user_active_idx";--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sessions_user_created_idx" ON "sessions" USING btree ("user_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "sessions_user_live_idx" ON "sessions" USING btree ("user_id","idle_expires_at") WHERE "sessions"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "sessions_live_idx" ON "sessions" USING btree ("idle_expires_at") WHERE "sessions"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "sessions_revoked_idx" ON "sessions" USING btree ("revoked_at") WHERE "sessions"."revoked_at" is not null;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "user_id";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "device_name";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "device_fingerprint";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "ip_address";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "user_agent";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "country";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "city";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "latitude";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "longitude";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "session_created_at";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "session_expires_at";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "last_used_at";--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "revoked_reason";