"""Bulk import of recommending units and their users (django-import-export, in the admin).

Columns are the Chinese labels administrators use in their spreadsheets. Every row is validated
(model clean included); a file with any bad row imports nothing (the admin refuses to confirm,
and ``import_data(..., rollback_on_validation_errors=True)`` rolls back). Each saved row leaves an
audit entry with via="import".
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from portal import imports
from portal.models import District, RecommendingUnit, User
from portal.models.organisations import RecommendingUnitKind
from portal.models.users import Role
from portal.services import audit
from portal.text import clean_text


class ChoiceLabelWidget(widgets.Widget):
    """Reads a choice by its Chinese label (or its code) and writes the label."""

    def __init__(self, choices, **kwargs):
        self.by_label = {str(label): value for value, label in choices}
        self.labels = dict(choices)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip()
        if value in self.labels:
            return value
        if value in self.by_label:
            return self.by_label[value]
        raise ValueError(
            _("“%(value)s”不是有效选项，可选：%(options)s。")
            % {"value": value, "options": "、".join(self.by_label)}
        )

    def render(self, value, obj=None, **kwargs):
        return str(self.labels.get(value, value or ""))


class NamedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by name, with a Chinese message when the name is unknown."""

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except self.model.DoesNotExist as error:
            raise ValueError(
                _("找不到“%(value)s”。") % {"value": value, "model": self.model._meta.verbose_name}
            ) from error


class AuditedResource(resources.ModelResource):
    """Refuses a file over the row cap (portal.imports) and rows that repeat a key of the file;
    cleans text as every form does (portal.text); audits each saved row."""

    def before_import(self, dataset, **kwargs):
        imports.check_row_count(len(dataset))
        self._duplicates = {}
        for name in self._meta.import_id_fields:
            column = self.fields[name].column_name
            if column not in (dataset.headers or []):
                continue  # import-export itself reports the missing column
            keyed = ((number, row[column]) for number, row in enumerate(dataset.dict, start=1))
            for key, numbers in imports.duplicate_rows(keyed).items():
                message = imports.duplicate_message(column, key, numbers)
                for number in numbers:
                    self._duplicates.setdefault(number, {})[name] = message
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            if value is None:
                row[column] = ""  # an empty XLSX cell, as CSV has it (text columns are NOT NULL)
            elif isinstance(value, str):
                row[column] = clean_text(value).strip()
        duplicated = getattr(self, "_duplicates", {}).get(kwargs.get("row_number"))
        if duplicated:
            raise ValidationError(duplicated)
        super().before_import_row(row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            action = f"{instance._meta.model_name}.import"
            audit.record(kwargs.get("user"), action, instance, changes=audit.diff({}, audit.snapshot(instance)),
                         via="import")


class RecommendingUnitResource(AuditedResource):
    name = fields.Field(attribute="name", column_name="名称")
    kind = fields.Field(attribute="kind", column_name="类型", widget=ChoiceLabelWidget(RecommendingUnitKind.choices))
    district = fields.Field(attribute="district", column_name="所在区",
                            widget=NamedForeignKeyWidget(District, field="name"))
    parent = fields.Field(attribute="parent", column_name="上级推荐单位",
                          widget=NamedForeignKeyWidget(RecommendingUnit, field="name"))
    contact_person = fields.Field(attribute="contact_person", column_name="联系人")
    contact_phone = fields.Field(attribute="contact_phone", column_name="联系电话")
    email = fields.Field(attribute="email", column_name="邮箱")

    class Meta:
        model = RecommendingUnit
        import_id_fields = ("name",)
        fields = ("name", "kind", "district", "parent", "contact_person", "contact_phone", "email")
        clean_model_instances = True
        skip_unchanged = True


class RecommenderUserResource(AuditedResource):
    """推荐单位用户: created without a password; they set one through 'forgot password'."""

    username = fields.Field(attribute="username", column_name="用户名")
    full_name = fields.Field(attribute="full_name", column_name="姓名")
    email = fields.Field(attribute="email", column_name="邮箱")
    phone = fields.Field(attribute="phone", column_name="手机")
    recommending_unit = fields.Field(attribute="recommending_unit", column_name="推荐单位",
                                     widget=NamedForeignKeyWidget(RecommendingUnit, field="name"))

    class Meta:
        model = User
        import_id_fields = ("username",)
        fields = ("username", "full_name", "email", "phone", "recommending_unit")
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self):
        return User.objects.filter(role=Role.RECOMMENDER)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.role = Role.RECOMMENDER
        if not instance.pk:
            instance.set_unusable_password()
        errors = {}
        if not instance.recommending_unit_id:
            errors["recommending_unit"] = _("推荐单位用户必须指定推荐单位。")
        if not instance.email:
            errors["email"] = _("请填写邮箱，用于设置密码。")
        if errors:
            raise ValidationError(errors)
