CREATE TABLE "secret_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"wrapped" text,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "secret_keys_one_current" ON "secret_keys" USING btree ("state") WHERE "secret_keys"."state" = 'current';