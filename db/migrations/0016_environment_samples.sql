CREATE TABLE "environment_samples" (
	"environment_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"requests" double precision NOT NULL,
	"errors" double precision NOT NULL,
	"buckets" jsonb NOT NULL,
	"cpu_seconds" double precision NOT NULL,
	"memory_bytes" double precision NOT NULL,
	"containers" integer NOT NULL,
	CONSTRAINT "environment_samples_environment_id_at_pk" PRIMARY KEY("environment_id","at")
);
--> statement-breakpoint
ALTER TABLE "environment_samples" ADD CONSTRAINT "environment_samples_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "environment_samples_at" ON "environment_samples" USING btree ("at");