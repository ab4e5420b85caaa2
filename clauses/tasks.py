"""Imports in the background: Django's tasks framework (``django.tasks``).

The backend is django-tasks-db's ``DatabaseBackend`` (settings ``TASKS``): a
task is a row in the app's own PostgreSQL database, run by ``manage.py
db_worker``, so no broker is needed, and an enqueued import survives a restart.
The web form writes an :class:`~clauses.models.ImportJob` (the file and the
form's choices), enqueues :func:`run_import` with its id and shows a progress
page; the worker runs the import (or its preview) and records how far it is and
how it ended, in the language of the editor who asked.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import DEFAULT_DB_ALIAS, connections
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .ingest import (
    CutsError,
    SourceMeta,
    accounting_figures,
    import_source,
    placement,
    preview_import,
)
from .models import Document, ImportJob, Source
from .search_index import merge_pending_entries
from .text.pipeline import IngestError

logger = logging.getLogger(__name__)

#: Seconds an import may wait in the queue, taken by no worker, before its
#: progress page says the worker may not be running.
WORKER_HINT_SECONDS = 15
#: The command that starts the worker, as `make run` runs it (Makefile:
#: ``$(MANAGE) db_worker``, ``MANAGE := .venv/bin/python manage.py``).
WORKER_COMMAND = ".venv/bin/python manage.py db_worker"


class _Progress:
    """Writes a job's progress on a connection of its own, so that it is seen
    while the import's transaction is still open."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last = -1
        self.connection = None

    def __call__(self, stage: str, percent: int) -> None:
        if percent == self.last:
            return
        self.last = percent
        try:
            if self.connection is None:
                self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET progress = %s, stage = %s, "
                    "status = %s WHERE id = %s",
                    [percent, stage, ImportJob.Status.RUNNING, self.job_id],
                )
        except Exception:  # progress is a courtesy: the import goes on without it
            logger.warning("could not record the progress of import job %s", self.job_id)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def job_meta(options: dict) -> SourceMeta:
    meta = dict(options.get("meta") or {})
    published = meta.get("published")
    meta["published"] = date.fromisoformat(published) if published else None
    return SourceMeta(**meta)


def _kwargs(options: dict, user) -> dict:
    document = options.get("document")
    derived = options.get("derived_from")
    return {
        **placement(
            Document.objects.get(pk=document) if document else None,
            options.get("relation") or "copy",
        ),
        "user": user,
        "accept_cuts": bool(options.get("accept_cuts")),
        "derived_from": Source.objects.get(pk=derived) if derived else None,
    }


def perform(job: ImportJob) -> None:
    """Run ``job`` now, in this process, and record how it ended."""
    progress = _Progress(job.pk)
    options = job.options
    result: dict = {}
    with translation.override(job.language or None):
        try:
            kwargs = {**_kwargs(options, job.user), "job_file": job.pk}
            # The file is read from the job inside the import, and let go
            # once decoded: this process never holds it through the import.
            if options.get("mode") == "preview":
                preview = preview_import(None, job_meta(options), **kwargs)
                result = {"preview": preview.shown()}
                status = ImportJob.Status.DONE
            else:
                imported = import_source(None, job_meta(options), progress=progress, **kwargs)
                job.source = imported.source
                from .views import import_message  # the message the form shows

                job.message = import_message(imported)
                status = ImportJob.Status.DONE
        except CutsError as exc:
            status = ImportJob.Status.FAILED
            job.message = str(exc)
            result = {
                "cuts": {
                    "message": str(exc),
                    "figures": accounting_figures(exc.accounting),
                    "passages": exc.cuts,
                }
            }
        except (IngestError, Document.DoesNotExist, Source.DoesNotExist) as exc:
            status = ImportJob.Status.FAILED
            job.message = str(exc) if isinstance(exc, IngestError) else _("The document is gone.")
        except Exception:
            logger.exception("import job %s failed", job.pk)
            status = ImportJob.Status.FAILED
            job.message = _(
                "policyreader could not import this file: an unexpected error, which has been "
                "logged."
            )
        finally:
            progress.close()
    job.status = status
    job.progress = 100
    job.options = {**options, "result": result}
    # "updated" named, for auto_now to set it: when the job ended (forget_files).
    fields = ["status", "progress", "options", "source", "message", "updated"]
    if options.get("mode") != "preview":
        # The source keeps the bytes; a failed import needs them no more. A
        # preview keeps its file or pasted text for the form (the editor's
        # session names the job) until it is saved or given up, or
        # JOB_FILE_KEPT has passed.
        job.data = b""
        fields.append("data")
    job.save(update_fields=fields)
    if status == ImportJob.Status.DONE and options.get("mode") != "preview":
        # The import is done and shown; the search indexes' new entries are
        # merged now, not in the next import (merge_pending_entries).
        merge_pending_entries()


@task()
def run_import(job_id: int) -> None:
    """The worker's side of an import job."""
    job = ImportJob.objects.select_related("user").defer("data").filter(pk=job_id).first()
    if job is None or job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.RUNNING, updated=timezone.now()
    )
    perform(job)


def waiting_for_a_worker(job: ImportJob, now=None) -> bool:
    """True when ``job`` is still queued ``WORKER_HINT_SECONDS`` after it was
    written: no worker has taken it (``run_import`` marks it running first)."""
    if job.status != ImportJob.Status.QUEUED:
        return False
    waited = (now or timezone.now()) - job.created
    return waited.total_seconds() > WORKER_HINT_SECONDS


#: How long an ended job keeps a previewed pasted text (see ``forget_files``).
JOB_FILE_KEPT = timedelta(days=1)


def enqueue(job: ImportJob) -> ImportJob:
    """Hand ``job`` to the worker (with the immediate backend: run it now)."""
    ImportJob.objects.forget_files(timezone.now() - JOB_FILE_KEPT)
    result = run_import.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job
