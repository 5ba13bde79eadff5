"""On PostgreSQL, the application's role can no longer cut the audit chain.

Before: any session could `SET LOCAL hazardloop.audit_purge = 'on'` and delete events. Now the
purge switch opens the delete only for the tables' owner (the role that runs migrations and,
by the documented procedure, `purge_audit`; docs/operations.md "Audit log"), never for the
application role that serves requests. TRUNCATE of the audit tables is refused to anyone but
the owner, the chain head can only move forward, and its row cannot be deleted by the
application role. Superusers remain able to do anything; the signed checkpoints kept outside
the database (audit/checkpoints.py) are what reveals their cuts."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_is_owner(rel oid) RETURNS boolean AS $$
    SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = rel), 'MEMBER');
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND COALESCE(current_setting('hazardloop.audit_purge', true), '') = 'on'
       AND audit_is_owner(TG_RELID) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % of seq % refused', TG_OP, OLD.seq
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_owner_only_truncate() RETURNS trigger AS $$
BEGIN
    IF audit_is_owner(TG_RELID) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'TRUNCATE of % refused: only the owner may empty audit tables', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_owner_only_truncate();
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_auditanchor
    FOR EACH STATEMENT EXECUTE FUNCTION audit_owner_only_truncate();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_owner_only_truncate();

CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF audit_is_owner(TG_RELID) THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'the audit chain head only moves forward: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_head_forward_only();
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_anchor_no_truncate ON audit_auditanchor;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_owner_only_truncate();
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND COALESCE(current_setting('hazardloop.audit_purge', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % of seq % refused', TG_OP, OLD.seq
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS audit_is_owner(oid);
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_token_and_reset_events")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False)]
