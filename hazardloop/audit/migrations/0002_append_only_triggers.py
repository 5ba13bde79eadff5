"""On PostgreSQL, refuse UPDATE and DELETE of audit rows in the database itself, so that not even
a raw query from the application can rewrite history. The retention purge is the one exception:
it deletes (never updates) events while the transaction-local setting hazardloop.audit_purge is
'on'. SQLite has no such session settings; there the model guard and the hash chain suffice.

TRUNCATE is left alone on purpose: the test runner and `flush` empty tables with it, and it
needs table ownership, which the application's role should not have in production."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND COALESCE(current_setting('hazardloop.audit_purge', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % of seq % refused', TG_OP, OLD.seq
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();

CREATE OR REPLACE FUNCTION audit_anchor_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit anchors are append-only: % of seq % refused', TG_OP, OLD.seq
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_anchor_append_only
    BEFORE UPDATE OR DELETE ON audit_auditanchor
    FOR EACH ROW EXECUTE FUNCTION audit_anchor_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_anchor_append_only ON audit_auditanchor;
DROP FUNCTION IF EXISTS audit_anchor_append_only();
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the PL/pgSQL format markers (%) must reach the server as written.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False)]
