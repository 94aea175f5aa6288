"""scoring.sheets: the rubric's rows are read once per programme link and kept as plain values;
every call gets its own model instances, and a rubric changed (after its links were removed) and
linked again is read afresh."""

import pytest

from portal.models import Programme
from scoring import sheets
from scoring.models import Band, ProgrammeRubric
from scoring.services.rubrics import load_rubric
from tests.scoring.test_scoring_rubrics import B1
from tests.scoring.test_scoring_scores import Sheet


def _read(programme_pk):
    return sheets.programme_rubric(Programme.objects.select_related("rubric_link").get(pk=programme_pk))


def _shape(criteria) -> list:
    return [(c.pk, c.code, c.section.code, c.section.rubric.code,
             [(b.pk, b.min_points, b.max_points, b.descriptor) for b in c.bands.all()],
             [(v.pk, v.value, v.label) for v in c.bonus_levels.all()]) for c in criteria]


@pytest.mark.django_db
def test_the_rows_are_read_once_and_each_call_gets_its_own_objects(administrator, django_assert_num_queries):
    sheet = Sheet(administrator, load_rubric(B1))
    sheets._RUBRIC_ROWS.clear()
    programme = Programme.objects.select_related("rubric_link").get(pk=sheet.programme.pk)
    with django_assert_num_queries(5):  # the rubric, its sections, criteria, bands and levels
        rubric, criteria = sheets.programme_rubric(programme)
    with django_assert_num_queries(0):
        again, criteria_again = sheets.programme_rubric(programme)
        assert _shape(criteria_again) == _shape(criteria)
        assert [s.pk for s in again.sections.all()] == [s.pk for s in rubric.sections.all()]
    assert again is not rubric and all(a is not b for a, b in zip(criteria, criteria_again, strict=True))
    assert again.tie_break_sections == rubric.tie_break_sections
    again.tie_break_sections.append("changed by one request")
    assert _read(sheet.programme.pk)[0].tie_break_sections == rubric.tie_break_sections


@pytest.mark.django_db
def test_a_rubric_changed_while_unlinked_is_read_afresh_once_linked_again(administrator):
    sheet = Sheet(administrator, load_rubric(B1))
    _rubric, criteria = _read(sheet.programme.pk)
    band = criteria[0].bands.all()[0]
    ProgrammeRubric.objects.filter(programme=sheet.programme).delete()  # unlinked: editable again
    Band.objects.filter(pk=band.pk).update(descriptor="改过的描述")
    ProgrammeRubric.objects.create(programme=sheet.programme, rubric=sheet.rubric)
    _rubric, criteria = _read(sheet.programme.pk)
    assert criteria[0].bands.all()[0].descriptor == "改过的描述"
