CREATE TABLE "static_uploads" (
	"deployment_id" text NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "static_uploads_deployment_id_seq_pk" PRIMARY KEY("deployment_id","seq")
);
