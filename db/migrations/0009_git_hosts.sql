CREATE TABLE "generic_webhooks" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"secret_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "git_hosts" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"base_url" text NOT NULL,
	"webhook_secret_sealed" text NOT NULL,
	"access_token_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "git_hosts_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "git_sources" ADD COLUMN "git_host_id" text;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "git_host_id" text;--> statement-breakpoint
ALTER TABLE "generic_webhooks" ADD CONSTRAINT "generic_webhooks_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "git_sources" ADD CONSTRAINT "git_sources_git_host_id_git_hosts_id_fk" FOREIGN KEY ("git_host_id") REFERENCES "public"."git_hosts"("id") ON DELETE restrict ON UPDATE no action;