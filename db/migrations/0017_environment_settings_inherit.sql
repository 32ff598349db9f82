ALTER TABLE "environments" ALTER COLUMN "retention" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "environments" ALTER COLUMN "retention" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ALTER COLUMN "queue_policy" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "environments" ALTER COLUMN "queue_policy" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ALTER COLUMN "cancel_superseded" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "environments" ALTER COLUMN "cancel_superseded" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ALTER COLUMN "drain_seconds" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "environments" ALTER COLUMN "drain_seconds" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ALTER COLUMN "standby_seconds" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "environments" ALTER COLUMN "standby_seconds" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "replicas" integer;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "resources" jsonb;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "health_check" jsonb;