CREATE TABLE "hosts" (
	"id" text PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"capacity" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"draining" boolean DEFAULT false NOT NULL,
	"last_seen_at" timestamp with time zone,
	"seen_by" text,
	"heartbeat_seconds" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
