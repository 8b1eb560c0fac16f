import pgtrigger.migrations
from django.db import migrations

# A trigger of the project's own, not django-pgtrigger's Protect: triggers
# made by that library skip themselves when a session sets the variable
# pgtrigger.ignore, which would let raw SQL rewrite the record.
CREATE = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % of an entry is refused.',
        TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Record a new entry instead of changing an old one.';
END;
$$;

CREATE TRIGGER audit_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="auditentry",
            name="append_only",
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
