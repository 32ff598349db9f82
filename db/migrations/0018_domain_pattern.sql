ALTER TABLE "environments" ADD COLUMN "domain_pattern" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "pattern_domain" text;