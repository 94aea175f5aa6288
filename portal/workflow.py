"""Workflows as declarative data: states, transitions, who may act.

A Transition names its source states, its target, a label for the button and a permission
predicate ``(user, obj) -> Decision``. Services look transitions up here and never hard-code moves.

Apps above portal add their own rules as guards (the way pretalx vetoes a state change), registered
in their ``AppConfig.ready()``: ``PROGRAMME_WORKFLOW.add_guard("publish", awards.permissions.may_publish)``.
A move is allowed when its permission and every guard allow it; the first refusal's reason is shown.
Apps may also add notices, ``PROGRAMME_WORKFLOW.add_notice("start_determining", notice)``: a warning
``notice(obj) -> str | None`` shown before the move (by its button and in its confirmation), never a veto.
Services ask ``require(WORKFLOW.check(actor, obj, name))`` and write the transition's ``audit_action``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

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
    # False when a domain service owns the move (it does more than change the status, e.g.
    # publishing stamps the determination and tells applicants): the generic programme page links there.
    generic: bool = True
    # Predicates ``(user, obj) -> Decision`` added by apps through Workflow.add_guard.
    guards: list[Callable[..., Decision]] = field(default_factory=list, compare=False, repr=False)
    # Warnings ``(obj) -> str | None`` added by apps through Workflow.add_notice.
    notices: list[Callable[..., str | None]] = field(default_factory=list, compare=False, repr=False)

    def allowed(self, user, obj) -> Decision:
        decision = self.permission(user, obj)
        for guard in self.guards:
            if not decision:
                break
            decision = guard(user, obj)
        return decision


class Workflow:
    def __init__(self, name: str, transitions: list[Transition]):
        self.name = name
        self.transitions = {t.name: t for t in transitions}

    def get(self, name: str) -> Transition | None:
        return self.transitions.get(name)

    def check(self, actor, obj, name: str) -> Decision:
        """May ``actor`` take move ``name`` on ``obj``: its permission and every guard, the first
        refusal's reason kept. Not the source state (callers say "wrong state" in their own words);
        pass the result to ``portal.permissions.require`` to refuse with PermissionDenied."""
        return self.transitions[name].allowed(actor, obj)

    def add_guard(self, name: str, guard: Callable[..., Decision]) -> None:
        """Let an app veto transition ``name``: ``guard(user, obj)`` must allow it too. Idempotent,
        so a second ``ready()`` (tests, autoreload) does not run a guard twice."""
        transition = self.transitions[name]  # a typo in a transition name fails at start-up
        if guard not in transition.guards:
            transition.guards.append(guard)

    def add_notice(self, name: str, notice: Callable[..., str | None]) -> None:
        """Let an app warn before transition ``name``: ``notice(obj)`` returns the warning, or None when
        there is nothing to say. A warning, not a veto (that is add_guard). Idempotent, like add_guard."""
        transition = self.transitions[name]  # a typo in a transition name fails at start-up
        if notice not in transition.notices:
            transition.notices.append(notice)

    def notices(self, name: str, obj) -> list[str]:
        """The warnings to show before move ``name`` on ``obj``, in registration order. Ask only for
        moves that are available: a notice may cost queries."""
        return [str(text) for notice in self.transitions[name].notices if (text := notice(obj))]

    def available(self, state: str, user=None, obj=None, *, generic_only: bool = False) -> list[Transition]:
        """Transitions out of ``state``; with a user, only those the user may take."""
        found = [t for t in self.transitions.values() if state in t.sources and (t.generic or not generic_only)]
        if user is not None:
            found = [t for t in found if t.allowed(user, obj)]
        return found


PROGRAMME_WORKFLOW = Workflow(
    "programme",
    [
        Transition("open", (S.DRAFT,), S.OPEN, _("开放申报"), administers_programme, "programme.open"),
        Transition("start_recommending", (S.OPEN,), S.RECOMMENDING, _("截止申报，进入推荐审核"),
                   administers_programme, "programme.start_recommending"),
        Transition("start_reviewing", (S.RECOMMENDING,), S.REVIEWING, _("进入专家评价"), administers_programme,
                   "programme.start_reviewing"),
        Transition("start_determining", (S.REVIEWING,), S.DETERMINING, _("进入成果评定"), administers_programme,
                   "programme.start_determining"),
        # Guarded by awards.permissions.may_publish (awards/apps.py); generic=False because publishing
        # also stamps the determination and tells applicants (awards.services.publication.publish).
        Transition("publish", (S.DETERMINING,), S.PUBLISHED, _("公布成果"), administers_programme,
                   "programme.publish", generic=False),
        Transition("close", (S.PUBLISHED,), S.CLOSED, _("关闭批次"), administers_programme, "programme.close"),
        Transition("reopen", (S.RECOMMENDING,), S.OPEN, _("重新开放申报"), administers_programme, "programme.reopen"),
        # Undoing a publication is exceptional: superusers only, with a reason (awards.services).
        Transition("unpublish", (S.PUBLISHED,), S.DETERMINING, _("撤回公布"), lambda user, obj: is_superuser(user),
                   "programme.unpublish", generic=False),
    ],
)
