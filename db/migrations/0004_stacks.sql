CREATE TABLE "app_stacks" (
	"app_id" text PRIMARY KEY NOT NULL,
	"compose" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployment_service_phases" (
	"deployment_id" text NOT NULL,
	"service" text NOT NULL,
	"phase" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"outcome" text NOT NULL,
	"message" text,
	CONSTRAINT "deployment_service_phases_deployment_id_service_phase_pk" PRIMARY KEY("deployment_id","service","phase")
);
--> statement-breakpoint
CREATE TABLE "stack_overrides" (
	"environment_id" text PRIMARY KEY NOT NULL,
	"compose" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stack_releases" (
	"release_id" text PRIMARY KEY NOT NULL,
	"stack" jsonb NOT NULL,
	"plan" jsonb NOT NULL,
	"spec_hashes" jsonb NOT NULL,
	"image_refs" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "app_stacks" ADD CONSTRAINT "app_stacks_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployment_service_phases" ADD CONSTRAINT "deployment_service_phases_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stack_overrides" ADD CONSTRAINT "stack_overrides_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stack_releases" ADD CONSTRAINT "stack_releases_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE cascade ON UPDATE no action;