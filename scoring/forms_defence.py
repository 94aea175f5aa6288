"""The defence session form (现场答辩): date, times, place or link, panel, experts, and the
programme's applications each with an order number (blank: not in this session) and minutes.
The rules (conflicts, fitting the slots in, one session per application) are in
scoring.services.defence."""

from datetime import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import ApplicationStatus
from portal.form_text import CleanForm
from scoring.models import ExpertProfile
from scoring.services.defence import MAX_SLOT_MINUTES, SessionInput


class ExpertChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.work_unit}）"


class DefenceSessionForm(CleanForm):
    title = forms.CharField(label=_("场次名称"), max_length=100)
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    meeting_link = forms.URLField(label=_("会议链接"), required=False, assume_scheme="https")
    panel = forms.ModelChoiceField(label=_("评审组"), queryset=None, required=False, empty_label=_("（不指定）"))
    experts = ExpertChoiceField(label=_("出席专家"), queryset=None, required=False,
                                widget=forms.CheckboxSelectMultiple,
                                help_text=_("不勾选时，使用所选评审组的全部专家。"))
    default_minutes = forms.IntegerField(label=_("每个项目默认时长（分钟）"), min_value=1,
                                         max_value=MAX_SLOT_MINUTES, initial=20)

    def __init__(self, data=None, *, programme, session=None, **kwargs):
        self.programme = programme
        super().__init__(data, initial=self._initial(session), **kwargs)
        self.fields["panel"].queryset = programme.panels.all()
        self.fields["experts"].queryset = ExpertProfile.objects.filter(
            Q(panels__programme=programme) | Q(assignments__application__programme=programme)
            | Q(defence_sessions__programme=programme)
        ).distinct().select_related("user").order_by("user__full_name", "pk")
        self.applications = list(programme.applications.exclude(status=ApplicationStatus.DRAFT)
                                 .select_related("organisation").order_by("pk"))
        slots = {s.application_id: s for s in session.slots.all()} if session else {}
        for app in self.applications:
            slot = slots.get(app.pk)
            self.fields[f"app_{app.pk}_order"] = forms.IntegerField(
                label=_("顺序"), required=False, min_value=1, initial=slot.order if slot else None)
            self.fields[f"app_{app.pk}_minutes"] = forms.IntegerField(
                label=_("时长（分钟）"), required=False, min_value=1, max_value=MAX_SLOT_MINUTES,
                initial=slot.minutes if slot else None)

    @staticmethod
    def _initial(session) -> dict:
        if session is None:
            return {}
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {"title": session.title, "date": start.date(), "start_time": start.time(), "end_time": end.time(),
                "place": session.place, "meeting_link": session.meeting_link, "panel": session.panel,
                "experts": list(session.experts.all())}

    def application_rows(self):
        return [{"application": app, "order": self[f"app_{app.pk}_order"], "minutes": self[f"app_{app.pk}_minutes"]}
                for app in self.applications]

    def clean(self):
        data = super().clean()
        orders = {}
        for app in self.applications:
            order = data.get(f"app_{app.pk}_order")
            if order is None:
                continue
            if order in orders:
                self.add_error(f"app_{app.pk}_order", _("顺序 %(n)d 重复。") % {"n": order})
            orders[order] = app
        data["ordered"] = [orders[n] for n in sorted(orders)]
        return data

    def session_input(self) -> SessionInput:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        starts = timezone.make_aware(datetime.combine(data["date"], data["start_time"]), zone)
        ends = timezone.make_aware(datetime.combine(data["date"], data["end_time"]), zone)
        slots = [(app, data.get(f"app_{app.pk}_minutes") or data["default_minutes"]) for app in data["ordered"]]
        return SessionInput(title=data["title"], starts_at=starts, ends_at=ends, place=data["place"],
                            meeting_link=data["meeting_link"], panel=data["panel"],
                            experts=list(data["experts"]), slots=slots)


class AttendanceForm(CleanForm):
    """One choice per slot: 出席 / 缺席 / 未记录."""

    CHOICES = [("", _("未记录")), ("yes", _("出席")), ("no", _("缺席"))]

    def __init__(self, data=None, *, slots, **kwargs):
        super().__init__(data, **kwargs)
        self.slots = list(slots)
        for slot in self.slots:
            initial = "" if slot.attended is None else ("yes" if slot.attended else "no")
            self.fields[f"slot_{slot.pk}"] = forms.ChoiceField(label=slot.application.project_name,
                                                               choices=self.CHOICES, required=False, initial=initial)

    def attendance(self) -> dict:
        values = {"": None, "yes": True, "no": False}
        return {slot.pk: values[self.cleaned_data.get(f"slot_{slot.pk}") or ""] for slot in self.slots}

    def rows(self):
        return [{"slot": slot, "field": self[f"slot_{slot.pk}"]} for slot in self.slots]
