"""URLs of the scoring app, mounted under /scoring/ (namespace "scoring")."""

from django.urls import path

from scoring.views import assignment as assignment_views
from scoring.views import conflicts as conflict_views
from scoring.views import defence as defence_views
from scoring.views import expert_home as expert_views
from scoring.views import experts, rubrics
from scoring.views import panels as panel_views
from scoring.views import pledge as pledge_views
from scoring.views import proposals as proposal_views
from scoring.views import scores as score_views

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
    path("assignments/<int:pk>/score/", score_views.score_sheet, name="score_sheet"),
    path("scores/<int:pk>/reopen/", score_views.score_reopen, name="score_reopen"),
    path("programmes/<int:pk>/scoring-progress/", score_views.progress, name="scoring_progress"),
    path("programmes/<int:pk>/scoring-progress/remind/", score_views.remind, name="scoring_remind"),
    path("programmes/<int:pk>/defence/", defence_views.defence_list, name="defence_list"),
    path("programmes/<int:pk>/defence/new/", defence_views.defence_new, name="defence_new"),
    path("defence/<int:pk>/", defence_views.defence_detail, name="defence_detail"),
    path("defence/<int:pk>/edit/", defence_views.defence_edit, name="defence_edit"),
    path("defence/<int:pk>/attendance/", defence_views.defence_attendance, name="defence_attendance"),
    path("defence/mine/", defence_views.defence_mine, name="defence_mine"),
    # conflicts, pledge, expert home, panels, assignment (review set-up)
    path("review/", expert_views.expert_home, name="expert_home"),
    path("review/programmes/<int:pk>/", expert_views.expert_programme, name="expert_programme"),
    path("review/programmes/<int:pk>/pledge/", pledge_views.pledge, name="pledge"),
    path("review/programmes/<int:pk>/pledge/accept/", pledge_views.pledge_accept, name="pledge_accept"),
    path("review/programmes/<int:pk>/declare-unit/", conflict_views.conflict_declare_unit,
         name="conflict_declare_unit"),
    path("review/assignments/<int:pk>/recuse/", conflict_views.conflict_declare, name="conflict_declare"),
    path("programmes/<int:pk>/conflicts/", conflict_views.conflict_list, name="conflict_list"),
    path("programmes/<int:pk>/conflicts/detect/", conflict_views.conflict_detect, name="conflict_detect"),
    path("programmes/<int:pk>/conflicts/add/", conflict_views.conflict_add, name="conflict_add"),
    path("conflicts/<int:pk>/decide/", conflict_views.conflict_decide, name="conflict_decide"),
    path("programmes/<int:pk>/panels/", panel_views.panel_list, name="panel_list"),
    path("programmes/<int:pk>/panels/new/", panel_views.panel_edit, name="panel_new"),
    path("programmes/<int:pk>/panels/<int:panel_pk>/", panel_views.panel_edit, name="panel_edit"),
    path("programmes/<int:pk>/panels/<int:panel_pk>/delete/", panel_views.panel_remove, name="panel_delete"),
    path("programmes/<int:pk>/assignments/", assignment_views.assignment_overview, name="assign_overview"),
    path("programmes/<int:pk>/assignments/auto/", assignment_views.assignment_auto, name="assign_auto"),
    path("programmes/<int:pk>/assignments/remind/", assignment_views.assignment_remind, name="assign_remind"),
    path("applications/<int:pk>/assignments/", assignment_views.assignment_application, name="assign_application"),
    path("applications/<int:pk>/assignments/add/", assignment_views.assignment_add, name="assign_add"),
    path("assignments/<int:pk>/remove/", assignment_views.assignment_remove, name="assign_remove"),
    path("assignments/<int:pk>/reassign/", assignment_views.assignment_reassign, name="assign_reassign"),
    path("proposals/<int:pk>/", proposal_views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/apply/", proposal_views.proposal_apply, name="proposal_apply"),
]
