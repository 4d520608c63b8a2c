CREATE TABLE "audit_chain_removals" (
	"chain" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"removed_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "category_erasures" (
	"young_person_id" uuid NOT NULL,
	"category" text NOT NULL,
	"erased_at" timestamp (3) with time zone NOT NULL,
	"cause" text NOT NULL,
	CONSTRAINT "category_erasures_young_person_id_category_pk" PRIMARY KEY("young_person_id","category")
);
--> statement-breakpoint
CREATE TABLE "erased_records" (
	"record_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"young_person_id" uuid NOT NULL,
	"category" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"erased_at" timestamp (3) with time zone NOT NULL,
	"cause" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "erasure_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"young_person_id" uuid NOT NULL,
	"categories" text[],
	"status" text DEFAULT 'pending' NOT NULL,
	"requested_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp (3) with time zone,
	"decided_by_account_id" uuid,
	"granted_categories" text[],
	"ground" text,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "legal_holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"young_person_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"set_by_account_id" uuid NOT NULL,
	"set_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"lifted_at" timestamp (3) with time zone,
	"lifted_by_account_id" uuid,
	"lift_reason" text
);
--> statement-breakpoint
ALTER TABLE "young_persons" ALTER COLUMN "birth_date" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "pathways" ADD COLUMN "closed_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "pathways" ADD COLUMN "close_reason" text;--> statement-breakpoint
ALTER TABLE "young_persons" ADD COLUMN "erased_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "category_erasures" ADD CONSTRAINT "category_erasures_young_person_id_young_persons_id_fk" FOREIGN KEY ("young_person_id") REFERENCES "public"."young_persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erased_records" ADD CONSTRAINT "erased_records_young_person_id_young_persons_id_fk" FOREIGN KEY ("young_person_id") REFERENCES "public"."young_persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erasure_requests" ADD CONSTRAINT "erasure_requests_young_person_id_young_persons_id_fk" FOREIGN KEY ("young_person_id") REFERENCES "public"."young_persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erasure_requests" ADD CONSTRAINT "erasure_requests_decided_by_account_id_accounts_id_fk" FOREIGN KEY ("decided_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_young_person_id_young_persons_id_fk" FOREIGN KEY ("young_person_id") REFERENCES "public"."young_persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_set_by_account_id_accounts_id_fk" FOREIGN KEY ("set_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_lifted_by_account_id_accounts_id_fk" FOREIGN KEY ("lifted_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "erased_records_record_key" ON "erased_records" USING btree ("record_id","kind");--> statement-breakpoint
CREATE INDEX "erased_records_young_person_idx" ON "erased_records" USING btree ("young_person_id","erased_at");--> statement-breakpoint
CREATE INDEX "erasure_requests_young_person_idx" ON "erasure_requests" USING btree ("young_person_id","requested_at");--> statement-breakpoint
CREATE INDEX "erasure_requests_status_idx" ON "erasure_requests" USING btree ("status","requested_at");--> statement-breakpoint
CREATE INDEX "legal_holds_young_person_idx" ON "legal_holds" USING btree ("young_person_id","set_at");