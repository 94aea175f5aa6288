"""URLs of the scoring app, mounted under /scoring/ (namespace "scoring")."""

from django.urls import path

from scoring.views import experts, rubrics

app_name = "scoring"
urlpatterns = [
    path("rubrics/", rubrics.rubric_list, name="rubric_list"),
    path("rubrics/<int:pk>/", rubrics.rubric_detail, name="rubric_detail"),
    path("rubrics/<int:pk>/copy/", rubrics.rubric_copy, name="rubric_copy"),
    path("rubrics/<int:pk>/yaml/", rubrics.rubric_yaml, name="rubric_yaml"),
    path("programmes/<int:pk>/rubric/", rubrics.programme_rubric, name="programme_rubric"),
    path("experts/", experts.expert_list, name="expert_list"),
    path("experts/template.xlsx", experts.expert_template, name="expert_template"),
    path("experts/import/", experts.expert_import, name="expert_import"),
]
