"""Test data builders."""

import factory
from django.utils import timezone

from portal import credit_code
from portal.models import (
    District,
    Organisation,
    OrganisationMembership,
    Organiser,
    Programme,
    RecommendingUnit,
    User,
)
from portal.models.organisations import MembershipStatus, OrganisationSize, Ownership
from portal.models.organisations import RecommendingUnitKind as Kind
from portal.models.programmes import Level, ProgrammeStatus
from portal.models.users import Role

PASSWORD = "pass-for-tests-2026"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = "jiading"
    name = "嘉定区"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    credit_code = factory.Sequence(lambda n: credit_code.with_check_character(f"91310114{n:09d}"))
    name = factory.Sequence(lambda n: f"上海测试制造{n}有限公司")
    legal_representative = "陈立新"
    ownership = Ownership.PRIVATE
    size = OrganisationSize.MEDIUM
    industry = "通用设备制造业"
    address = "上海市嘉定区测试路1号"
    phone = "021-59990000"
    contact_person = "张三"
    mobile = "13800000000"
    email = factory.Sequence(lambda n: f"org{n}@example.cn")
    district = factory.SubFactory(DistrictFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    role = Role.APPLICANT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ApplicantFactory(UserFactory):
    role = Role.APPLICANT

    @factory.post_generation
    def organisation(obj, create, extracted, **kwargs):
        if create:
            OrganisationMembership.objects.create(
                user=obj,
                organisation=extracted or OrganisationFactory(),
                status=MembershipStatus.APPROVED,
                decided_at=timezone.now(),
            )


class RecommendingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendingUnit

    name = factory.Sequence(lambda n: f"测试推荐单位{n}")
    kind = Kind.DISTRICT_BUREAU
    district = factory.SubFactory(DistrictFactory)
    contact_person = "李四"
    contact_phone = "021-69990000"


class OrganiserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organiser

    name = factory.Sequence(lambda n: f"测试主管部门{n}")
    level = Level.MUNICIPAL


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    year = factory.Sequence(lambda n: 2000 + n)
    title = factory.LazyAttribute(lambda o: f"{o.year}年上海市重点产品质量攻关成果申报")
    organiser = factory.SubFactory(OrganiserFactory)
    organiser_names = "上海市市场监督管理局\n上海市经济和信息化委员会"
    status = ProgrammeStatus.OPEN
