"""Background tasks of the dnc app, run by `manage.py db_worker`."""

import logging
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.tasks import task
from django.utils import timezone

from dnc.importer import ImportFileError, ImportProgress, import_file
from dnc.models import DncImport

logger = logging.getLogger(__name__)


class ProgressWriter:
    """Write an import's progress to its DncImport row as it is read.

    The import runs in one transaction, so the progress goes through a second
    connection in autocommit mode, so the Import page shows it at once.
    """

    def __init__(self):
        self._connection = None

    def __call__(self, progress: ImportProgress) -> None:
        if self._connection is None:
            params = connection.get_connection_params()
            self._connection = connection.get_new_connection(params)
            self._connection.autocommit = True
        with self._connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE dnc_dncimport
                SET rows_read = %s, blank = %s, rejected = %s, bytes_read = %s
                WHERE id = %s AND status = %s
                """,
                [
                    progress.rows_read,
                    progress.blank,
                    progress.rejected,
                    progress.bytes_read,
                    progress.dnc_import_id,
                    DncImport.Status.RUNNING,
                ],
            )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def stored_path(dnc_import: DncImport) -> Path:
    return Path(settings.MEDIA_ROOT) / dnc_import.stored_file


@task
def run_import(dnc_import_id: int) -> dict:
    """Import an uploaded file into the DNC list, then delete the file.

    Returns the counts of the report. A file that cannot be imported leaves
    the DncImport failed with the reason, as any other error does.
    """
    dnc_import = DncImport.objects.select_related("uploaded_by").get(pk=dnc_import_id)
    path = stored_path(dnc_import)
    if not dnc_import.stored_file or not path.is_file():
        logger.error("Import %s: the uploaded file %s is missing", dnc_import_id, path)
        dnc_import.status = DncImport.Status.FAILED
        dnc_import.error = (
            "The uploaded file is missing from the server, so nothing was "
            "imported. Upload the file again."
        )
        dnc_import.finished_at = timezone.now()
        dnc_import.save(update_fields=["status", "error", "finished_at"])
        return {}

    progress = ProgressWriter()
    try:
        report = import_file(
            path,
            by=dnc_import.uploaded_by,
            file_name=dnc_import.file_name,
            dnc_import=dnc_import,
            progress=progress,
        )
    except ImportFileError as exc:
        logger.warning("Import %s failed: %s", dnc_import_id, exc)
        return {}
    except Exception:
        logger.exception("Import %s failed", dnc_import_id)
        raise
    finally:
        progress.close()
        path.unlink(missing_ok=True)
        DncImport.objects.filter(pk=dnc_import_id).update(stored_file="")
    return report.counts()
