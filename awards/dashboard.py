"""The awards app's part of the dashboards (portal.dashboards), registered by ``register_all()``
from AwardsConfig.ready(): the published results of the applications the applicant's dashboard
lists (applications.dashboard provides them first: INSTALLED_APPS order)."""

from portal import dashboards
from portal.models.users import Role

from .services.publication import published_results


def applicant(user, context) -> dict:
    return {"results": published_results(context.get("applications") or [])}


def register_all() -> None:
    dashboards.register(Role.APPLICANT, applicant)
