"""Forms of the shared core."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import UsernameField
from django.utils.translation import gettext_lazy as _

from portal import credit_code
from portal.form_text import CleanForm, CleanModelForm
from portal.models import Organisation, Programme, User


class CreditCodeField(forms.CharField):
    """Accepts what a person types (spaces, lower case) and keeps the normalised, checked code."""

    def to_python(self, value):
        return credit_code.normalise(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value:
            credit_code.validate_credit_code(value)


ORGANISATION_FIELDS = [
    "name",
    "legal_representative",
    "ownership",
    "size",
    "industry",
    "strategic_emerging",
    "address",
    "phone",
    "contact_person",
    "mobile",
    "email",
    "district",
    "group_company",
    "is_specialised",
    "is_little_giant",
]


class OrganisationForm(CleanModelForm):
    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS


class RegistrationForm(CleanForm):
    """Applicant self-registration: the person, and the organisation by its credit code.

    If the code is already registered the person asks to join; the organisation fields are then
    not needed and are ignored.
    """

    username = UsernameField(
        label=_("用户名"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    full_name = forms.CharField(label=_("姓名"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("邮箱"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("手机"), max_length=32, widget=forms.TextInput(attrs={"autocomplete": "tel"}))
    password1 = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    credit_code = CreditCodeField(
        label=_("统一社会信用代码"), max_length=40, help_text=_("18位，见营业执照。已登记的单位将提交加入申请。")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_form = OrganisationForm(*args, prefix="org", **kwargs)

    @property
    def existing_organisation(self):
        code = self.cleaned_data.get("credit_code") if hasattr(self, "cleaned_data") else None
        return Organisation.objects.filter(credit_code=code).first() if code else None

    def clean_username(self):
        username = self.cleaned_data["username"]
        User.username_validator(username)  # letters, digits and @.+-_ only, as the admin's user form checks
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该用户名已被使用。"))
        return username

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            probe = User(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def is_valid(self):
        valid = super().is_valid()
        if valid and self.existing_organisation is None:
            return self.organisation_form.is_valid()
        return valid

    def account_data(self) -> dict:
        c = self.cleaned_data
        return {
            "username": c["username"],
            "full_name": c["full_name"],
            "email": c["email"],
            "phone": c["phone"],
            "password": c["password1"],
        }

    def organisation_data(self) -> dict | None:
        if self.existing_organisation is not None:
            return None
        return {name: self.organisation_form.cleaned_data[name] for name in ORGANISATION_FIELDS}


class AuditFilterForm(CleanForm):
    action = forms.CharField(label=_("操作"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False)
    object = forms.CharField(label=_("对象"), required=False)
    via = forms.ChoiceField(
        label=_("途径"),
        required=False,
        choices=[("", _("全部")), ("web", "web"), ("admin", "admin"), ("import", "import"), ("task", "task")],
    )
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, qs):
        if not self.is_valid():
            return qs
        c = self.cleaned_data
        if c["action"]:
            qs = qs.filter(action__icontains=c["action"])
        if c["actor"]:
            qs = qs.filter(actor_name__icontains=c["actor"])
        if c["object"]:
            qs = qs.filter(object_repr__icontains=c["object"])
        if c["via"]:
            qs = qs.filter(via=c["via"])
        if c["since"]:
            qs = qs.filter(at__date__gte=c["since"])
        if c["until"]:
            qs = qs.filter(at__date__lte=c["until"])
        return qs


class ProgrammeSettingsForm(CleanModelForm):
    """The organiser's settings on the programme page; portal.services.programmes.update_settings
    decides what may change at the programme's step."""

    class Meta:
        model = Programme
        fields = ["submission_deadline", "recommendation_deadline", "scoring_deadline", "endorsement_quota",
                  "experts_per_application", "min_load_per_expert", "max_load_per_expert"]
        widgets = {name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
                   for name in ("submission_deadline", "recommendation_deadline", "scoring_deadline")}
        help_texts = {"endorsement_quota": _("留空表示不限。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"
