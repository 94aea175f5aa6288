"""Workflows as declarative data: states, transitions, who may act.

A Transition names its source states, its target, a label for the button and a permission
predicate ``(user, obj) -> Decision``. Services look transitions up here and never hard-code moves.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.models.programmes import ProgrammeStatus as S
from portal.permissions import Decision, administers_programme, is_superuser


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: str
    permission: Callable[..., Decision]
    audit_action: str = ""
    # False when a domain service owns the move (it checks more than the permission, e.g.
    # publishing needs an approved determination): the generic programme page then links there.
    generic: bool = True

    def allowed(self, user, obj) -> Decision:
        return self.permission(user, obj)


class Workflow:
    def __init__(self, name: str, transitions: list[Transition]):
        self.name = name
        self.transitions = {t.name: t for t in transitions}

    def get(self, name: str) -> Transition | None:
        return self.transitions.get(name)

    def available(self, state: str, user=None, obj=None, *, generic_only: bool = False) -> list[Transition]:
        """Transitions out of ``state``; with a user, only those the user may take."""
        found = [t for t in self.transitions.values() if state in t.sources and (t.generic or not generic_only)]
        if user is not None:
            found = [t for t in found if t.allowed(user, obj)]
        return found


PROGRAMME_WORKFLOW = Workflow(
    "programme",
    [
        Transition("open", (S.DRAFT,), S.OPEN, _("开放申报"), administers_programme),
        Transition("start_recommending", (S.OPEN,), S.RECOMMENDING, _("截止申报，进入推荐审核"),
                   administers_programme),
        Transition("start_reviewing", (S.RECOMMENDING,), S.REVIEWING, _("进入专家评价"), administers_programme),
        Transition("start_determining", (S.REVIEWING,), S.DETERMINING, _("进入成果评定"), administers_programme),
        Transition("publish", (S.DETERMINING,), S.PUBLISHED, _("公布成果"), administers_programme, generic=False),
        Transition("close", (S.PUBLISHED,), S.CLOSED, _("关闭批次"), administers_programme),
        Transition("reopen", (S.RECOMMENDING,), S.OPEN, _("重新开放申报"), administers_programme),
        # Undoing a publication is exceptional: superusers only, with a reason (awards.services).
        Transition("unpublish", (S.PUBLISHED,), S.DETERMINING, _("撤回公布"), lambda user, obj: is_superuser(user),
                   generic=False),
    ],
)
