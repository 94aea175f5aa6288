"""Which Table A.1 field sits in which tab of the form, and which ones a submission needs.

One place for the grouping: the forms build their tabs from it, the completeness check links
each missing field to its tab, and versions record exactly these fields.
"""

from .models.application import ECONOMIC_FIELDS
from .models.choices import Section

SIGNOFF_FIELDS = [
    f"{role}_{part}" for role in ("tech_head", "finance_head", "unit_head") for part in ("opinion", "name", "date")
]

SECTION_FIELDS = {
    Section.BASIC: [
        "project_name", "category", "advancement_level", "completion_date",
        "recommender", "self_declared", "joint_applicants", "is_chokepoint", "is_digital",
    ],
    Section.INTRO: ["org_intro", "background", "objectives", "investment"],
    Section.QUALITY: [
        "quality_level", "innovation", "key_indicator_name", "key_indicator_before", "key_indicator_after",
    ],
    Section.EFFECT: [
        "effect_direct", "effect_indirect", "effect_green", "effect_social",
        *ECONOMIC_FIELDS, "reduction_percent", "reduction_basis",
    ],
    Section.SIGNOFF: SIGNOFF_FIELDS,
}

# Every field the applicant edits, in form order.
EDITABLE_FIELDS = [name for fields in SECTION_FIELDS.values() for name in fields]
FIELD_SECTION = {name: section for section, fields in SECTION_FIELDS.items() for name in fields}

# Needed for a submission (Table A.1 has no optional box except the figures, which depend on
# the project; the structured figures for later steps are optional).
REQUIRED_FIELDS = [
    "project_name", "category", "advancement_level", "completion_date",
    "org_intro", "background", "objectives", "investment",
    "quality_level", "innovation",
    "effect_direct", "effect_indirect", "effect_green", "effect_social",
    *SIGNOFF_FIELDS,
]
