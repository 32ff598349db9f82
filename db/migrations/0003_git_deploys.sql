CREATE TABLE "build_secrets" (
	"app_id" text NOT NULL,
	"name" text NOT NULL,
	"value_sealed" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "build_secrets_app_id_name_pk" PRIMARY KEY("app_id","name")
);
--> statement-breakpoint
CREATE TABLE "deploy_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"position" integer NOT NULL,
	"event" text NOT NULL,
	"pattern" text NOT NULL,
	"base" text,
	"paths" jsonb,
	"environment" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deploy_rules_app_position" UNIQUE("app_id","position")
);
--> statement-breakpoint
CREATE TABLE "git_sources" (
	"app_id" text PRIMARY KEY NOT NULL,
	"repository" text,
	"url" text,
	"installation_id" bigint,
	"dockerfile" text DEFAULT 'Dockerfile' NOT NULL,
	"context" text DEFAULT '.' NOT NULL,
	"build_args" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"preview_idle_seconds" bigint
);
--> statement-breakpoint
CREATE TABLE "github_apps" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" bigint NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"html_url" text NOT NULL,
	"client_id" text NOT NULL,
	"private_key_sealed" text NOT NULL,
	"webhook_secret_sealed" text NOT NULL,
	"client_secret_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "github_apps_app_id_unique" UNIQUE("app_id")
);
--> statement-breakpoint
CREATE TABLE "github_deployments" (
	"deployment_id" text PRIMARY KEY NOT NULL,
	"repository" text NOT NULL,
	"sha" text NOT NULL,
	"environment" text NOT NULL,
	"github_deployment_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_installations" (
	"id" bigint PRIMARY KEY NOT NULL,
	"account" text NOT NULL,
	"account_type" text NOT NULL,
	"repository_selection" text NOT NULL,
	"suspended_at" timestamp with time zone,
	"removed_at" timestamp with time zone,
	"synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_repositories" (
	"id" bigint PRIMARY KEY NOT NULL,
	"installation_id" bigint NOT NULL,
	"full_name" text NOT NULL,
	"private" boolean NOT NULL,
	"default_branch" text NOT NULL,
	"clone_url" text NOT NULL,
	"html_url" text NOT NULL,
	"removed_at" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_states" (
	"state" text PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"action" text,
	"repository" text,
	"installation_id" bigint,
	"ref" text,
	"sha" text,
	"payload" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"dispatched_at" timestamp with time zone,
	"processed_at" timestamp with time zone,
	"outcome" text DEFAULT 'pending' NOT NULL,
	"message" text,
	"results" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "previews" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"number" integer NOT NULL,
	"repository" text NOT NULL,
	"template_environment_id" text NOT NULL,
	"environment_id" text,
	"head_sha" text NOT NULL,
	"status" text NOT NULL,
	"removed_reason" text,
	"last_event_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "previews_app_number" UNIQUE("app_id","number")
);
--> statement-breakpoint
ALTER TABLE "build_secrets" ADD CONSTRAINT "build_secrets_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deploy_rules" ADD CONSTRAINT "deploy_rules_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "git_sources" ADD CONSTRAINT "git_sources_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "previews" ADD CONSTRAINT "previews_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "github_repositories_full_name" ON "github_repositories" USING btree ("full_name");--> statement-breakpoint
CREATE INDEX "github_repositories_installation" ON "github_repositories" USING btree ("installation_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received" ON "webhook_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_undispatched" ON "webhook_deliveries" USING btree ("received_at") WHERE "webhook_deliveries"."dispatched_at" is null;