CREATE TABLE "link_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"young_person_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"used_at" timestamp (3) with time zone,
	"used_by_account_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"young_person_id" uuid NOT NULL,
	"audit_event_id" uuid NOT NULL,
	"day" date NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_role" text,
	"actor_name" text,
	"actor_agency_id" uuid,
	"question" text NOT NULL,
	"answer" text,
	"answered_at" timestamp (3) with time zone,
	"answered_by_account_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "link_codes" ADD CONSTRAINT "link_codes_young_person_id_young_persons_id_fk" FOREIGN KEY ("young_person_id") REFERENCES "public"."young_persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_codes" ADD CONSTRAINT "link_codes_used_by_account_id_accounts_id_fk" FOREIGN KEY ("used_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_young_person_id_young_persons_id_fk" FOREIGN KEY ("young_person_id") REFERENCES "public"."young_persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_answered_by_account_id_accounts_id_fk" FOREIGN KEY ("answered_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "link_codes_hash_key" ON "link_codes" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "link_codes_young_person_idx" ON "link_codes" USING btree ("young_person_id");--> statement-breakpoint
CREATE INDEX "review_items_young_person_idx" ON "review_items" USING btree ("young_person_id","created_at");--> statement-breakpoint
CREATE INDEX "review_items_open_idx" ON "review_items" USING btree ("answered_at","created_at");