ALTER TABLE "consents" ADD COLUMN "young_person_created_at" timestamp (3) with time zone;--> statement-breakpoint
UPDATE "consents" c SET "young_person_created_at" = yp."created_at" FROM "young_persons" yp WHERE yp."id" = c."young_person_id";
--> statement-breakpoint
ALTER TABLE "consents" ALTER COLUMN "young_person_created_at" SET NOT NULL;
--> statement-breakpoint
-- The copy is the young person's own value, whatever an insert gives: a consent's young person never changes.
CREATE OR REPLACE FUNCTION polku_consent_young_person_created_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.young_person_created_at := (SELECT created_at FROM young_persons WHERE id = NEW.young_person_id);
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER consents_young_person_created_at
  BEFORE INSERT ON consents
  FOR EACH ROW EXECUTE FUNCTION polku_consent_young_person_created_at();
