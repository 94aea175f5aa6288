import pytest

from portal.celery import app as celery_app
from portal.models.users import Role
from tests.factories import (
    ApplicantFactory,
    OrganiserFactory,
    RecommendingUnitFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _unit_test_settings(settings):
    """Eager Celery and in-memory e-mail, inside unit tests only (the worker tests undo eager)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def applicant(db):
    return ApplicantFactory()


@pytest.fixture
def organiser(db):
    return OrganiserFactory(name="上海市市场监督管理局")


@pytest.fixture
def administrator(organiser):
    return UserFactory(role=Role.ADMINISTRATOR, organiser=organiser)


@pytest.fixture
def recommender(db):
    return UserFactory(role=Role.RECOMMENDER, recommending_unit=RecommendingUnitFactory())


@pytest.fixture
def expert(db):
    return UserFactory(role=Role.EXPERT)


@pytest.fixture
def superuser(db):
    return UserFactory(role=Role.ADMINISTRATOR, is_superuser=True, is_staff=True)
