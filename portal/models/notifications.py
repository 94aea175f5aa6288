"""The in-app feed: what the notifier tells a person besides e-mail."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.messages import Rendered, render


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
    # The catalogue entry (portal.messages) and its parameters: shown in the reader's language.
    # subject/body/link keep the Chinese text as written (rows made before the catalogue have only those).
    message_key = models.CharField(_("消息类型"), max_length=64, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self):
        return self.subject

    def rendered(self, language: str | None = None):
        """Subject, body and link in ``language`` (the active one if None): from the catalogue when
        the row names an entry, else the stored text."""
        language = language or translation.get_language()
        cache = self.__dict__.setdefault("_rendered", {})  # title, text and url render once per language
        if language not in cache:
            found = render(self.message_key, self.params or {}, language) if self.message_key else None
            cache[language] = found or Rendered(self.subject, self.body, self.link)
        return cache[language]

    # What the feed and the dashboard show, in the language of the request (the reader's).
    @property
    def title(self) -> str:
        return self.rendered().subject

    @property
    def text(self) -> str:
        return self.rendered().body

    @property
    def url(self) -> str:
        return self.rendered().link
