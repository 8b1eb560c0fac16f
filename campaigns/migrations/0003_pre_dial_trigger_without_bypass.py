import pgtrigger.migrations
from django.db import migrations

# The pre-dial check for writes that bypass Call.save(): bulk_create,
# QuerySet.update and raw SQL. It is the project's own trigger, not
# django-pgtrigger's, because that library's triggers step aside when a
# session sets the variable pgtrigger.ignore. It takes the same advisory lock
# as DncNumberManager.add (namespace 51362, dnc.models.NUMBER_LOCK_NAMESPACE),
# so a committed addition blocks every later call to the number.
CREATE = """
CREATE FUNCTION campaigns_pre_dial_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.phone_number IS NOT DISTINCT FROM OLD.phone_number THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(51362, hashtext(NEW.phone_number));
    IF EXISTS (
        SELECT 1 FROM dnc_dncnumber WHERE phone_number = NEW.phone_number
    ) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'DNC01',
            MESSAGE = NEW.phone_number
                || ' is on the Do Not Call list; the call was not placed.',
            DETAIL = NEW.phone_number;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER campaigns_call_pre_dial_check
    BEFORE INSERT OR UPDATE OF phone_number ON campaigns_call
    FOR EACH ROW EXECUTE FUNCTION campaigns_pre_dial_check();
"""

DROP = """
DROP TRIGGER IF EXISTS campaigns_call_pre_dial_check ON campaigns_call;
DROP FUNCTION IF EXISTS campaigns_pre_dial_check();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_pre_dial_check"),
        ("dnc", "0006_history_links_without_constraints"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="call",
            name="pre_dial_check",
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
