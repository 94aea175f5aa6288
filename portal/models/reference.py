"""Reference data loaded from fixtures/: Shanghai's areas and the project categories of Table A.1."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """An area with its own market supervision bureau (区): the 16 districts and 临港新片区."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    is_special_area = models.BooleanField(_("特殊区域"), default=False, help_text=_("如临港新片区"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("行政区")
        verbose_name_plural = _("行政区")

    def __str__(self):
        return self.name


class ProjectCategory(models.Model):
    """项目类别: the twelve categories of Table A.1, in the order the form lists them."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("项目类别")
        verbose_name_plural = _("项目类别")

    def __str__(self):
        return self.name
