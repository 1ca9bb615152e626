"""Factories for projects and teams (tests and demo data)."""

import datetime

import factory

from portal.organizations.factories import CDMOFactory, SponsorFactory, UserFactory

from .models import (
    Modality,
    Phase,
    Project,
    ProjectMember,
    ServiceScope,
    Side,
    TeamRole,
    side_of_role,
)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    sponsor = factory.SubFactory(SponsorFactory)
    cdmo = factory.SubFactory(CDMOFactory)
    code = factory.Sequence(lambda n: f"PRJ-{n:03d}")
    name = factory.Sequence(lambda n: f"Program {n}")
    modality = Modality.SMALL_MOLECULE
    phase = Phase.PHASE_1
    service_scope = factory.LazyFunction(lambda: [ServiceScope.PROCESS_DEV, ServiceScope.API_MANUFACTURE])
    start_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=120))


class ProjectMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMember

    project = factory.SubFactory(ProjectFactory)
    role = TeamRole.SPONSOR_MEMBER
    side = factory.LazyAttribute(lambda m: side_of_role(m.role))
    user = factory.LazyAttribute(
        lambda m: UserFactory(
            organization=m.project.sponsor if side_of_role(m.role) == Side.SPONSOR else m.project.cdmo
        )
    )


def staff_project(project: Project | None = None, **project_kwargs) -> Project:
    """A project with a complete team: lead, decision-maker, PM, SME, points of contact."""
    project = project or ProjectFactory(**project_kwargs)
    ProjectMemberFactory(project=project, role=TeamRole.SPONSOR_LEAD, is_point_of_contact=True)
    ProjectMemberFactory(project=project, role=TeamRole.DECISION_MAKER)
    ProjectMemberFactory(project=project, role=TeamRole.PROJECT_MANAGER, is_point_of_contact=True)
    ProjectMemberFactory(project=project, role=TeamRole.SME)
    return project
