"""The standard's title is 《重点产品质量攻关成果评价要求》 (DB31/T 1368—2022); rubrics loaded before
the fixture was corrected keep the wrong 《…评价规范》 in their source note (load_rubrics keeps
existing rubrics), so the stored text is corrected here."""

from django.db import migrations

WRONG = "《重点产品质量攻关成果评价规范》"
RIGHT = "《重点产品质量攻关成果评价要求》"


def correct(apps, schema_editor):
    Rubric = apps.get_model("scoring", "Rubric")
    for rubric in Rubric.objects.filter(source__contains=WRONG):
        rubric.source = rubric.source.replace(WRONG, RIGHT)
        rubric.save(update_fields=["source"])


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_review")]
    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
