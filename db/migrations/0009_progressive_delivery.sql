ALTER TABLE "environments" ADD COLUMN "watch" jsonb;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "standby_seconds" integer DEFAULT 0 NOT NULL;