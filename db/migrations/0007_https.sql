CREATE TABLE "acme_dns_credentials" (
	"provider" text PRIMARY KEY NOT NULL,
	"variables_sealed" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "environment_certificates" (
	"environment_id" text PRIMARY KEY NOT NULL,
	"chain_pem" text NOT NULL,
	"key_sealed" text NOT NULL,
	"names" jsonb NOT NULL,
	"issuer" text NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"fingerprint" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "https" jsonb;--> statement-breakpoint
ALTER TABLE "environment_certificates" ADD CONSTRAINT "environment_certificates_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;