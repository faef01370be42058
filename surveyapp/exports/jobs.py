"""Downloads made in the background: a large raw-response download is written to a file by a
thread of the web process while its page shows the progress, then fetched from that page.

Why a thread and not a separate worker process: nothing more to install, configure or keep
running (the app is served by ``make run`` or a few gunicorn workers), and the work is one
query streamed into one file. What a thread cannot do is outlive its process: a job whose
process ended (a restart, a deployment) stops sending signs of life, and its page then says
that it failed and offers to start it again — nothing is silently lost or left "running".

Each job is a row of ``download_jobs`` (who asked, what, how far it is), and its file is
``instance/downloads/<token>.<ext>``, readable by the service account only, fetched only by
the staff member who asked, deleted ``DOWNLOAD_KEEP_HOURS`` after it was finished.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..respond.models import Response
from ..results.filters import ALL_RESPONSES, response_conditions
from ..surveys.models import Survey
from ..timeutil import utcnow

if TYPE_CHECKING:
    from .cells import Cell

log = logging.getLogger("surveyapp")

KINDS = ("responses.xlsx", "responses.csv")
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STALE_AFTER = timedelta(minutes=5)
"""A job without a sign of life for this long has lost its process (progress is recorded every
few thousand rows, and the final compression of the largest workbook takes well under this)."""
FOLDER = "downloads"


class DownloadJob(db.Model):  # type: ignore[name-defined]
    __tablename__ = "download_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    encoding: Mapped[str] = mapped_column(String(8), default="utf-8")
    reveal: Mapped[bool] = mapped_column(default=False)
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8), default=QUEUED)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    survey: Mapped[Survey] = relationship()

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def active(self) -> bool:
        return self.status in (QUEUED, RUNNING)


def response_count(survey: Survey) -> int:
    """Responses a raw download of the survey has (what decides whether it runs in the background)."""
    return db.session.scalar(db.select(db.func.count(Response.id))
                             .where(*response_conditions(survey.id, ALL_RESPONSES))) or 0


def in_background(survey: Survey) -> bool:
    return response_count(survey) > current_app.config["DOWNLOAD_JOB_MIN_RESPONSES"]


def folder() -> Path:
    path = Path(current_app.instance_path) / FOLDER
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def job_file(job: DownloadJob) -> Path:
    return folder() / f"{job.token}.{job.kind.split('.')[1]}"


def start_job(user_id: int, survey: Survey, kind: str, filename: str, *, encoding: str = "utf-8",
              reveal: bool = False) -> DownloadJob:
    """Record the job (and delete expired ones), commit, and start its thread."""
    if kind not in KINDS:
        raise ValueError(f"unknown download kind {kind!r}")
    purge_expired()
    job = DownloadJob(token=secrets.token_urlsafe(16), user_id=user_id, survey_id=survey.id, kind=kind,
                      encoding=encoding, reveal=reveal, filename=filename, rows_total=response_count(survey))
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=run_job, args=(app, job.id), name=f"download-{job.id}", daemon=True).start()
    return job


def find_job(token: str, user_id: int) -> DownloadJob | None:
    """The caller's own job (anyone else's is as good as unknown); one that lost its process is
    marked failed here, so its page says so."""
    job = db.session.scalar(db.select(DownloadJob).where(DownloadJob.token == token,
                                                         DownloadJob.user_id == user_id))
    if job is not None and job.active and utcnow() - job.updated_at > STALE_AFTER:
        _finish(job, FAILED, "interrupted")
    return job


def finished_file(job: DownloadJob) -> Path | None:
    path = job_file(job)
    return path if job.status == DONE and path.is_file() else None


def purge_expired(now: datetime | None = None) -> int:
    """Delete finished jobs older than ``DOWNLOAD_KEEP_HOURS`` with their files; commit."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=current_app.config["DOWNLOAD_KEEP_HOURS"])
    expired = db.session.scalars(db.select(DownloadJob).where(DownloadJob.created_at < cutoff)).all()
    for job in expired:
        for path in (job_file(job), _partial(job_file(job))):
            path.unlink(missing_ok=True)
        db.session.delete(job)
    db.session.commit()
    return len(expired)


def run_job(app: Flask, job_id: int) -> None:
    """The thread's work: write the file under a temporary name, then publish it."""
    with app.app_context():
        job = db.session.get(DownloadJob, job_id)
        if job is None or job.status != QUEUED:
            return
        job.status = RUNNING
        job.updated_at = utcnow()
        db.session.commit()
        target = job_file(job)
        partial = _partial(target)
        try:
            with _private_file(partial) as handle:
                _write(job, handle, _progress(job))
            partial.replace(target)
        except Exception:
            log.exception("download job %s failed", job.id)
            db.session.rollback()
            partial.unlink(missing_ok=True)
            _finish(job, FAILED, "error")
            return
        finally:
            db.session.remove()
        job = db.session.get(DownloadJob, job_id)
        if job is not None:
            job.rows_done = job.rows_total
            _finish(job, DONE, None)
        db.session.remove()


def _write(job: DownloadJob, handle: Any, progress: Callable[[int], None]) -> None:
    # Imported here: this module defines a table, so every command that queries imports it.
    from ..results.raw import raw_columns, raw_rows
    from ..surveys.services import version_definition
    from .cells import encoded_csv
    from .columns import csv_header
    from .raw import raw_export, raw_sheets
    from .xlsx import write_xlsx

    survey = db.session.get(Survey, job.survey_id)
    if survey is None or survey.current_version is None:
        raise LookupError("the survey has no published version")
    defn = version_definition(survey.current_version)
    columns = raw_columns(defn)
    export = raw_export(defn, columns)
    rows = export.rows(raw_rows(survey, columns), reveal=job.reveal)
    if job.kind == "responses.xlsx":
        write_xlsx(raw_sheets(export, rows), handle, progress)
        return
    for chunk in encoded_csv(csv_header(export.columns), _counted(rows, progress), job.encoding):
        handle.write(chunk)


def _counted(rows: Iterable[Sequence[Cell]], progress: Callable[[int], None]) -> Iterator[Sequence[Cell]]:
    from .xlsx import PROGRESS_EVERY

    count = 0
    for count, row in enumerate(rows, start=1):
        yield row
        if count % PROGRESS_EVERY == 0:
            progress(count)


def _progress(job: DownloadJob) -> Callable[[int], None]:
    def record(rows: int) -> None:
        job.rows_done = min(rows, job.rows_total)
        job.updated_at = utcnow()
        db.session.commit()
    return record


def _finish(job: DownloadJob, status: str, error: str | None) -> None:
    job.status = status
    job.error = error
    job.updated_at = job.finished_at = utcnow()
    db.session.commit()


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _private_file(path: Path) -> Any:
    """A new file only the service account can read (mode 600 whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")
