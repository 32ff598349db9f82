CREATE TABLE "static_releases" (
	"release_id" text PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"archive_bytes" bigint NOT NULL,
	"files" integer NOT NULL,
	"unpacked_bytes" bigint NOT NULL,
	"settings" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "static_site" jsonb;--> statement-breakpoint
ALTER TABLE "static_releases" ADD CONSTRAINT "static_releases_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE cascade ON UPDATE no action;