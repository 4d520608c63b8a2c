-- A closed pathway is read-only: no new or changed goals, steps or notes, no new referrals, no summary change.
-- Erasure (the retention job, a granted request) sets polku.erasing for its own transaction and passes.
CREATE OR REPLACE FUNCTION polku_pathway_open_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('polku.erasing', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF EXISTS (SELECT 1 FROM pathways p WHERE p.young_person_id = NEW.young_person_id AND p.status = 'closed') THEN
    RAISE EXCEPTION 'the pathway is closed' USING ERRCODE = 'PL409';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER goals_pathway_open BEFORE INSERT OR UPDATE ON goals FOR EACH ROW EXECUTE FUNCTION polku_pathway_open_check();
--> statement-breakpoint
CREATE TRIGGER steps_pathway_open BEFORE INSERT OR UPDATE ON steps FOR EACH ROW EXECUTE FUNCTION polku_pathway_open_check();
--> statement-breakpoint
CREATE TRIGGER notes_pathway_open BEFORE INSERT OR UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION polku_pathway_open_check();
--> statement-breakpoint
CREATE TRIGGER referrals_pathway_open BEFORE INSERT ON referrals FOR EACH ROW EXECUTE FUNCTION polku_pathway_open_check();
--> statement-breakpoint
-- A pathway is closed only with a reason (closed_at set by the close operation) and reopened only by clearing it.
CREATE OR REPLACE FUNCTION polku_pathway_status_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('polku.erasing', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF NEW.status = 'closed' AND NEW.closed_at IS NULL THEN
    RAISE EXCEPTION 'a pathway is closed with its close operation' USING ERRCODE = 'PL422';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.status = 'closed' AND NEW.closed_at IS NOT NULL THEN
    RAISE EXCEPTION 'the pathway is closed' USING ERRCODE = 'PL409';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER pathways_status_check BEFORE INSERT OR UPDATE ON pathways FOR EACH ROW EXECUTE FUNCTION polku_pathway_status_check();
--> statement-breakpoint
-- The audit log stays append-only; the one exception is audit retention deleting a whole chain whose final
-- head it has first recorded in audit_chain_removals, in the same transaction.
CREATE OR REPLACE FUNCTION polku_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('polku.audit_retention', true) = 'on'
     AND EXISTS (SELECT 1 FROM audit_chain_removals r WHERE r.chain = OLD.chain AND r.seq >= OLD.seq) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
