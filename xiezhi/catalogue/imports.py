"""Import jobs: the page stores the upload as an `ImportJob` and a background thread does the work.

Progress is written to the job row while the file is read and checked (those writes commit at once,
so the page's htmx poll sees them); the final write is one transaction, shown as the phase
"写入数据库" until it commits. A job left "running" by a process that died is reported as failed
after `STALE_AFTER`. Set XIEZHI_CATALOGUE_IMPORT_THREAD = False (tests) to run jobs in the request.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from xiezhi.accounts.actors import actor_for
from xiezhi.audit.services import record
from xiezhi.catalogue import access
from xiezhi.catalogue.models import CatalogueVersion, ImportJob, ImportStatus, VersionStatus
from xiezhi.catalogue.services import version_conflict
from xiezhi.catalogue.spreadsheets import apply_plan, plan_import, read_file
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed

log = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
STALE_AFTER = timedelta(minutes=30)
THREAD_PREFIX = "catalogue-import-"


def create_job(
    actor: Actor,
    *,
    file_name: str,
    payload: bytes,
    effective_from: date | None,
    target: CatalogueVersion | None = None,
) -> ImportJob:
    county_id = access.require_manager(actor)
    errors: dict[str, list[str]] = {}
    if not file_name.lower().endswith((".xlsx", ".csv")):
        errors["file"] = ["请上传xlsx或CSV文件"]
    elif not payload:
        errors["file"] = ["文件是空的"]
    elif len(payload) > MAX_UPLOAD_BYTES:
        errors["file"] = ["文件不能超过20MB"]
    if target is None and effective_from is None:
        errors["effective_from"] = ["请填写新草稿的施行日期"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    if target is not None:
        if target.county_id != county_id:
            raise ValidationFailed.field("version_id", "只能导入本县的目录草稿")
        if target.status != VersionStatus.DRAFT:
            raise version_conflict(target)
    with transaction.atomic():
        job = ImportJob.objects.create(
            county_id=county_id,
            created_by=actor.user,
            file_name=file_name[:200],
            file_sha256=hashlib.sha256(payload).hexdigest(),
            payload=payload,
            effective_from=effective_from or (target.effective_from if target else None),
            version=target,
            phase="排队中",
        )
        record(
            actor,
            "catalogue.import_started",
            ("catalogue.importjob", job.pk, job.file_name),
            after={"file": job.file_name, "sha256": job.file_sha256},
        )
    return job


def start(job: ImportJob) -> None:
    """Run the job after the current transaction commits: in a thread, or right here (tests)."""
    if getattr(settings, "XIEZHI_CATALOGUE_IMPORT_THREAD", True):
        transaction.on_commit(
            lambda: threading.Thread(
                target=_thread_main, args=(job.pk,), name=f"{THREAD_PREFIX}{job.pk}", daemon=True
            ).start()
        )
    else:
        run(job.pk)


def _thread_main(job_id: int) -> None:
    try:
        run(job_id)
    finally:
        connection.close()


def _update(job_id: int, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)


def run(job_id: int) -> ImportJob:
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, phase="读取文件"
    )
    job = ImportJob.objects.select_related("county", "created_by", "version").get(pk=job_id)
    if not claimed:
        return job
    actor = actor_for(job.created_by) if job.created_by else None
    last = [0]

    def progress(done: int, total: int, phase: str) -> None:
        # At most ~50 writes per job: enough for a smooth bar, cheap for the database.
        step = max(1, total // 50)
        if done - last[0] >= step or done >= total:
            last[0] = done
            _update(job_id, done=done, total=total, phase=phase)

    try:
        sheet = read_file(job.file_name, bytes(job.payload))
        _update(job_id, total=max(0, len(sheet.rows) - 1), phase="校验")
        effective = job.effective_from or timezone.localdate()
        plan = plan_import(sheet, job.county, effective, progress)
        if plan.errors:
            _update(
                job_id,
                status=ImportStatus.FAILED,
                phase="校验未通过",
                errors=[e.as_dict() for e in plan.errors[:1000]],
                message=f"发现{len(plan.errors)}处错误，未导入任何数据",
                finished_at=timezone.now(),
            )
            return ImportJob.objects.get(pk=job_id)
        _update(job_id, phase="写入数据库")
        result = apply_plan(
            plan,
            job.county,
            actor=actor,
            target=job.version,
            effective_from=effective,
            file_name=job.file_name,
            file_sha256=job.file_sha256,
        )
        _update(
            job_id,
            status=ImportStatus.SUCCEEDED,
            phase="完成",
            done=len(plan.rows),
            total=len(plan.rows),
            version=result.version,
            message=(
                f"已导入第{result.version.number}版目录草稿：{len(plan.rows)}个事项"
                f"（新增{result.created}个、更新{result.updated}个），{result.devolutions}条下放安排"
            ),
            finished_at=timezone.now(),
        )
    except ValueError as exc:
        _update(
            job_id, status=ImportStatus.FAILED, phase="读取失败", message=str(exc), finished_at=timezone.now()
        )
    except Exception as exc:  # the job must end in a final state whatever happened; details go to the log
        log.exception("catalogue import %s failed", job_id)
        message = getattr(exc, "message", "") or "导入时发生内部错误，未导入任何数据"
        _update(job_id, status=ImportStatus.FAILED, phase="失败", message=message, finished_at=timezone.now())
    return ImportJob.objects.get(pk=job_id)


def refresh_stale(job: ImportJob) -> ImportJob:
    if not job.finished and timezone.now() - job.created_at > STALE_AFTER:
        ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).update(
            status=ImportStatus.FAILED,
            phase="中断",
            message="导入任务中断（服务已重启），请重新上传",
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
    return job
