"""Background jobs (后台任务): a document or export rendered by Celery, with progress and a result."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    """One request for background work. The kind names a handler registered in portal.jobs;
    ``params`` are plain values (ids), never objects. The result is a file under MEDIA_ROOT/jobs/,
    downloadable only by the person who asked (and superusers) while they may still see the object
    the job is about (``about_model``/``about_id``, set from the kind: portal.visibility.about_visible)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=64, db_index=True)
    params = models.JSONField(_("参数"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    result = models.FileField(_("结果文件"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("文件名"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Last sign of life (queued, started, progress): portal.jobs.sweep_stuck_jobs fails a job that
    # shows none for JOB_STALL_SECONDS (a worker killed mid-render never reports again).
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True, db_index=True)
    # The object the job concerns ("app_label.model" and its key; blank for none, e.g. the audit export).
    about_model = models.CharField(_("关于对象类型"), max_length=64, blank=True)
    about_id = models.PositiveBigIntegerField(_("关于对象编号"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self):
        return f"{self.kind} {self.pk}"

    @property
    def is_done(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
