"""The score sheet's band radios are written by portal.templatetags.fastfields.described_radios (one
hand-written renderer for the big forms), byte for byte as scoring.forms_scores wrote them before."""

import html

import pytest
from django import forms

from portal.templatetags.fastfields import described_radios
from scoring.forms_scores import ScoreForm
from scoring.models import CriterionKind
from scoring.services.scores import lowest_band
from scoring.sheets import rubric_criteria
from tests.factories import b1_programme

# The renderer scoring.forms_scores had (BAND_RADIO and _band_radios), kept as the reference.
BAND_RADIO = """
        <div class="form-check">
          <input class="form-check-input" type="radio" name="{name}" id="{id}" value="{pk}"
                 data-score-band data-min="{min}" data-max="{max}"{lowest}
                 {checked}>
          <label class="form-check-label small" for="{id}"><strong>{label}{unit}</strong> {descriptor}</label>
        </div>
        """


def _former_band_radios(field, criterion, unit: str) -> str:
    chosen, lowest = str(field.value()), lowest_band(criterion)
    name, auto_id, unit = html.escape(field.html_name), html.escape(field.auto_id), html.escape(unit)
    return "".join(
        BAND_RADIO.format(name=name, id=f"{auto_id}_{b.pk}", pk=b.pk, min=b.min_points, max=b.max_points,
                          lowest=" data-lowest" if lowest and b.pk == lowest.pk else "",
                          checked="checked" if str(b.pk) == chosen else "", label=html.escape(b.points_label),
                          unit=unit, descriptor=html.escape(b.descriptor))
        for b in criterion.bands.all())


@pytest.fixture
def criteria(db):
    return rubric_criteria(b1_programme().rubric_link.rubric)


def _band_criteria(criteria):
    return [c for c in criteria if c.kind == CriterionKind.NORMAL]


def _compare(form, criteria):
    rows = [row for section in form.rows() for row in section["criteria"] if not row["bonus"]]
    assert len(rows) == len(_band_criteria(criteria)) > 0
    for row in rows:
        criterion = row["criterion"]
        expected = _former_band_radios(form[f"c{criterion.pk}_band"], criterion, "分")
        assert str(row["band_radios"]) == expected, criterion.code


def test_unbound_sheet_radios_are_as_before(criteria):
    _compare(ScoreForm(criteria=criteria), criteria)


def test_chosen_and_refused_bands_are_as_before(criteria):
    bands = _band_criteria(criteria)
    data = {"lock_version": "0", "overall_comment": ""}
    for n, criterion in enumerate(bands):
        choices = list(criterion.bands.all())
        # the lowest band, a middle one, a band of another criterion, nothing
        data[f"c{criterion.pk}_band"] = [str(choices[-1].pk), str(choices[0].pk), str(bands[0].bands.all()[0].pk),
                                         "", "<x>"][n % 5]
    form = ScoreForm(data, criteria=criteria)
    form.is_valid()
    form.add_error(f"c{bands[0].pk}_band", "错误")
    _compare(form, criteria)
    assert 'checked>' in str(form.rows()[0]["criteria"][0]["band_radios"])


class _Choice(forms.Form):
    band = forms.ChoiceField(choices=[("1", "a"), ("2", "b")], required=False)


def test_described_radios_escape_text_and_attributes():
    form = _Choice({'p"<-band': "2"}, prefix='p"<')
    out = described_radios(form["band"], [
        (1, "0–4<", 'say "no" & go', {"data-min": 0, "data-flag": True, "data-off": False}),
        (2, "5", "", {"data-note": '<"&>'}),
    ], suffix="<分>")
    assert out.count('class="form-check"') == 2
    assert ('name="p&quot;&lt;-band" id="id_p&quot;&lt;-band_1" value="1"\n'
            '                 data-min="0" data-flag\n') in out
    assert "data-off" not in out
    assert '<strong>0–4&lt;&lt;分&gt;</strong> say &quot;no&quot; &amp; go</label>' in out
    assert 'data-note="&lt;&quot;&amp;&gt;"\n                 checked>' in out
    assert out.count("checked") == 1
