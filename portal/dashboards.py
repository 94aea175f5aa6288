"""What the apps above portal put on a role's dashboard (portal.views.dashboards).

portal may not import applications or awards, so each app registers a provider per role from its
``AppConfig.ready()``: ``dashboards.register(Role.APPLICANT, applicant)``. A provider is
``(user, context) -> dict``: it runs its queries once, in the view, and returns the context entries
its templates read (templates/applications/_dashboard_applicant.html and the like never query).
Providers run in registration order, i.e. INSTALLED_APPS order, so a higher app may read what a
lower one provided (awards looks up the results of the applications that applications listed).
"""

from collections.abc import Callable

PROVIDERS: dict[str, list[Callable[..., dict]]] = {}


def register(role: str, provider: Callable[..., dict]) -> None:
    """Adds ``provider`` to ``role``'s dashboard. Idempotent, so a second ``ready()`` (tests,
    autoreload) does not run a provider twice."""
    providers = PROVIDERS.setdefault(role, [])
    if provider not in providers:
        providers.append(provider)


def provide(role: str, user, context: dict) -> dict:
    """``context`` updated with what every provider registered for ``role`` gives ``user``."""
    for provider in PROVIDERS.get(role, ()):
        context.update(provider(user, context))
    return context
