ALTER TABLE "environments" ADD COLUMN "watch" jsonb;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "standby_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "standby_release_id" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "standby_until" timestamp with time zone;