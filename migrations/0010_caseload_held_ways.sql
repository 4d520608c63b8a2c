-- INCLUDE is written here by hand (the schema builder cannot declare it): with the role and validity
-- columns in the index, the caseload counts and pages a caller's consents from the index alone.
CREATE INDEX "consents_professional_held_idx" ON "consents" USING btree ("grantee_professional_id","young_person_created_at","young_person_id") INCLUDE ("valid_from","valid_until","actions") WHERE revoked_at is null and superseded_at is null;--> statement-breakpoint
CREATE INDEX "consents_agency_held_idx" ON "consents" USING btree ("grantee_agency_id","young_person_created_at","young_person_id") INCLUDE ("grantee_role","valid_from","valid_until","actions") WHERE revoked_at is null and superseded_at is null;
