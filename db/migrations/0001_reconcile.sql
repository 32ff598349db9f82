CREATE TABLE "reconcile_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"environment_id" text,
	"drift" text NOT NULL,
	"action" text NOT NULL,
	"outcome" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"trigger" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "reconcile_events_env" ON "reconcile_events" USING btree ("environment_id","id");