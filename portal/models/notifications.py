"""The in-app feed: what the notifier tells a person besides e-mail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # The object the notification is about ("app_label.model" and its key; blank for none): the
    # feed, dashboard and unread count leave out notifications about objects the person can no
    # longer see (a recused expert, portal.visibility.notifications_for).
    about_model = models.CharField(_("关于对象类型"), max_length=64, blank=True)
    about_id = models.PositiveBigIntegerField(_("关于对象编号"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self):
        return self.subject
