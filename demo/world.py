"""The demo world: organizations, people, projects and teams.

Fixed names and emails make it idempotent: a second run finds what the first made.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from demo.common import DEMO_PASSWORD
from portal.accounts.models import OrgRole, User
from portal.organizations.models import Organization, OrganizationKind
from projects.models import (
    Modality,
    Phase,
    Project,
    ProjectMember,
    ProjectStatus,
    ServiceScope,
    Side,
    TeamRole,
)

CDMOS = [
    ("Northbridge Biologics", "DE", "Europe/Berlin", "northbridge"),
    ("Cascade Pharma Services", "US", "America/Chicago", "cascade"),
]
SPONSORS = [
    ("Acme Biotherapeutics", "US", "America/New_York", "acme"),
    ("Helix Oncology", "US", "America/Los_Angeles", "helix"),
    ("Nordlys Pharma", "NO", "Europe/Oslo", "nordlys"),
    ("Kestrel Therapeutics", "GB", "Europe/London", "kestrel"),
]

# (org key, local part, full name, org role, job title)
PEOPLE = [
    ("northbridge", "admin", "Katrin Vogel", OrgRole.ADMIN, "Head of Client Services"),
    ("northbridge", "exec", "Matthias Brandt", OrgRole.EXECUTIVE, "Chief Operating Officer"),
    ("northbridge", "pm", "Lena Hoffmann", OrgRole.MEMBER, "Senior Project Manager"),
    ("northbridge", "pm2", "Jonas Weber", OrgRole.MEMBER, "Project Manager"),
    ("northbridge", "sme", "Dr. Anika Schulz", OrgRole.MEMBER, "Principal Scientist, Process Development"),
    ("northbridge", "qa", "Stefan Krüger", OrgRole.MEMBER, "QA Lead"),
    ("cascade", "admin", "Rachel Moore", OrgRole.ADMIN, "Director, Program Management"),
    ("cascade", "exec", "David Chen", OrgRole.EXECUTIVE, "SVP Operations"),
    ("cascade", "pm", "Maria Gonzalez", OrgRole.MEMBER, "Project Manager"),
    ("cascade", "sme", "Dr. Kevin Patel", OrgRole.MEMBER, "Analytical Development Lead"),
    ("acme", "admin", "Susan Clarke", OrgRole.ADMIN, "IT & Vendor Management"),
    ("acme", "exec", "Robert Hayes", OrgRole.EXECUTIVE, "VP External Manufacturing"),
    ("acme", "lead", "Emily Carter", OrgRole.MEMBER, "CMC Project Lead"),
    ("acme", "dm", "Dr. Michael Ross", OrgRole.MEMBER, "Head of CMC"),
    ("acme", "member", "Priya Nair", OrgRole.MEMBER, "Supply Chain Manager"),
    ("helix", "admin", "Tom Becker", OrgRole.ADMIN, "Operations Director"),
    ("helix", "exec", "Grace Liu", OrgRole.EXECUTIVE, "Chief Technical Officer"),
    ("helix", "lead", "Daniel Kim", OrgRole.MEMBER, "Program Lead, Biologics"),
    ("helix", "dm", "Dr. Sarah Whitfield", OrgRole.MEMBER, "VP CMC"),
    ("nordlys", "admin", "Ingrid Solberg", OrgRole.ADMIN, "Head of Quality"),
    ("nordlys", "lead", "Erik Hansen", OrgRole.MEMBER, "CMC Lead"),
    ("nordlys", "dm", "Dr. Kari Nilsen", OrgRole.EXECUTIVE, "Chief Scientific Officer"),
    ("kestrel", "admin", "James Whitaker", OrgRole.ADMIN, "Head of Operations"),
    ("kestrel", "lead", "Olivia Bennett", OrgRole.MEMBER, "Technical Project Lead"),
    ("kestrel", "dm", "Dr. Henry Shaw", OrgRole.EXECUTIVE, "Chief Executive Officer"),
]

# (code, name, sponsor, cdmo, modality, phase, scope, status, months running, cadence, team recipe)
PROJECTS = [
    (
        "ACM-101",
        "Zanrelimab drug substance scale-up",
        "acme",
        "northbridge",
        Modality.BIOLOGIC,
        Phase.PHASE_2,
        [ServiceScope.SCALE_UP, ServiceScope.API_MANUFACTURE],
        ProjectStatus.ACTIVE,
        9,
        7,
        "full",
    ),
    (
        "ACM-114",
        "Oral KRAS inhibitor tablet",
        "acme",
        "cascade",
        Modality.SMALL_MOLECULE,
        Phase.PHASE_1,
        [ServiceScope.PROCESS_DEV, ServiceScope.DRUG_PRODUCT],
        ProjectStatus.ACTIVE,
        5,
        7,
        "full",
    ),
    (
        "ACM-087",
        "Legacy antifungal commercial supply",
        "acme",
        "northbridge",
        Modality.SMALL_MOLECULE,
        Phase.COMMERCIAL,
        [ServiceScope.API_MANUFACTURE, ServiceScope.FILL_FINISH],
        ProjectStatus.ACTIVE,
        30,
        14,
        "full",
    ),
    (
        "HLX-201",
        "HX-44 bispecific cell line to GMP",
        "helix",
        "northbridge",
        Modality.BIOLOGIC,
        Phase.PRECLINICAL,
        [ServiceScope.PROCESS_DEV, ServiceScope.ANALYTICAL_DEV],
        ProjectStatus.ACTIVE,
        4,
        7,
        "no_decision_maker",
    ),
    (
        "HLX-207",
        "ADC payload linker synthesis",
        "helix",
        "cascade",
        Modality.SMALL_MOLECULE,
        Phase.PHASE_1,
        [ServiceScope.PROCESS_DEV, ServiceScope.ANALYTICAL_DEV, ServiceScope.API_MANUFACTURE],
        ProjectStatus.ACTIVE,
        7,
        7,
        "full",
    ),
    (
        "HLX-190",
        "Peptide vaccine fill-finish",
        "helix",
        "northbridge",
        Modality.PEPTIDE,
        Phase.PHASE_2,
        [ServiceScope.FILL_FINISH],
        ProjectStatus.ON_HOLD,
        12,
        14,
        "full",
    ),
    (
        "NRD-310",
        "GLP-1 analogue peptide API",
        "nordlys",
        "cascade",
        Modality.PEPTIDE,
        Phase.PHASE_3,
        [ServiceScope.SCALE_UP, ServiceScope.API_MANUFACTURE, ServiceScope.REGULATORY],
        ProjectStatus.ACTIVE,
        14,
        7,
        "full",
    ),
    (
        "NRD-322",
        "AAV gene therapy vector tech transfer",
        "nordlys",
        "northbridge",
        Modality.CELL_GENE,
        Phase.PHASE_1,
        [ServiceScope.SCALE_UP, ServiceScope.ANALYTICAL_DEV],
        ProjectStatus.ACTIVE,
        6,
        7,
        "no_cdmo_contact",
    ),
    (
        "NRD-295",
        "Stability program, lyophilised peptide",
        "nordlys",
        "cascade",
        Modality.PEPTIDE,
        Phase.PHASE_2,
        [ServiceScope.ANALYTICAL_DEV, ServiceScope.REGULATORY],
        ProjectStatus.CLOSED,
        20,
        14,
        "full",
    ),
    (
        "KST-401",
        "Autologous CAR-T process development",
        "kestrel",
        "northbridge",
        Modality.CELL_GENE,
        Phase.PRECLINICAL,
        [ServiceScope.PROCESS_DEV, ServiceScope.ANALYTICAL_DEV],
        ProjectStatus.ACTIVE,
        3,
        7,
        "full",
    ),
    (
        "KST-415",
        "Sterile injectable drug product",
        "kestrel",
        "cascade",
        Modality.SMALL_MOLECULE,
        Phase.PHASE_2,
        [ServiceScope.DRUG_PRODUCT, ServiceScope.FILL_FINISH],
        ProjectStatus.ACTIVE,
        8,
        7,
        "full",
    ),
    (
        "KST-420",
        "Monoclonal antibody IND-enabling batches",
        "kestrel",
        "northbridge",
        Modality.BIOLOGIC,
        Phase.PRECLINICAL,
        [ServiceScope.SCALE_UP, ServiceScope.API_MANUFACTURE, ServiceScope.REGULATORY],
        ProjectStatus.ACTIVE,
        2,
        7,
        "full",
    ),
]


@dataclass
class World:
    organizations: dict[str, Organization] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    projects: list[Project] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    @property
    def project_count(self) -> int:
        return Project.objects.count()

    def person(self, org_key: str, local: str) -> User:
        return self.people[f"{org_key}.{local}"]


def email_for(org_key: str, local: str) -> str:
    return f"{local}@{org_key}.example.com"


def _member(project: Project, user: User, role: str, poc: bool = False) -> None:
    side = Side.SPONSOR if user.organization_id == project.sponsor_id else Side.CDMO
    if not ProjectMember.objects.filter(project=project, user=user, removed_at__isnull=True).exists():
        ProjectMember.objects.create(
            project=project, user=user, side=side, role=role, is_point_of_contact=poc
        )


def _staff(project: Project, sponsor_key: str, cdmo_key: str, recipe: str, world: World) -> None:
    person = world.person
    pm_local = "pm2" if project.code in {"ACM-087", "KST-420"} else "pm"
    _member(project, person(sponsor_key, "lead"), TeamRole.SPONSOR_LEAD, poc=True)
    if recipe != "no_decision_maker":
        _member(project, person(sponsor_key, "dm"), TeamRole.DECISION_MAKER)
    if f"{sponsor_key}.member" in world.people:
        _member(project, person(sponsor_key, "member"), TeamRole.SPONSOR_MEMBER)
    _member(project, person(cdmo_key, pm_local), TeamRole.PROJECT_MANAGER, poc=recipe != "no_cdmo_contact")
    _member(project, person(cdmo_key, "sme"), TeamRole.SME)
    if f"{cdmo_key}.qa" in world.people:
        _member(project, person(cdmo_key, "qa"), TeamRole.CDMO_MEMBER)


def _organization(name: str, key: str, kind: str, country: str, time_zone: str) -> Organization:
    organization, _ = Organization.objects.get_or_create(
        name=name, defaults=dict(slug=key, kind=kind, country=country, time_zone=time_zone)
    )
    return organization


def _person(organization: Organization, email: str, password_hash: str, **fields) -> User:
    """A demo person who can sign in: the demo password and a verified address (allauth asks for one)."""
    user, _ = User.objects.get_or_create(
        email=email,
        defaults=dict(
            organization=organization, time_zone=organization.time_zone, password=password_hash, **fields
        ),
    )
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_people_and_projects(*, extra_projects_to: int = 0) -> World:
    world = World()
    for name, country, tz, key in CDMOS:
        world.organizations[key] = _organization(name, key, OrganizationKind.CDMO, country, tz)
    for name, country, tz, key in SPONSORS:
        world.organizations[key] = _organization(name, key, OrganizationKind.SPONSOR, country, tz)
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: every demo person shares it
    for org_key, local, full_name, role, title in PEOPLE:
        world.people[f"{org_key}.{local}"] = _person(
            world.organizations[org_key],
            email_for(org_key, local),
            password_hash,
            full_name=full_name,
            org_role=role,
            job_title=title,
        )
    staff = User.objects.filter(email="staff@meridian.example.com").first()
    if staff is None:
        User.objects.create_superuser(
            email="staff@meridian.example.com", password=DEMO_PASSWORD, full_name="Meridian Support"
        )

    today = timezone.localdate()
    for code, name, s_key, c_key, modality, phase, scope, status, months, cadence, recipe in PROJECTS:
        sponsor, cdmo = world.organizations[s_key], world.organizations[c_key]
        project, _ = Project.objects.get_or_create(
            sponsor=sponsor,
            code=code,
            defaults=dict(
                cdmo=cdmo,
                name=name,
                modality=modality,
                phase=phase,
                service_scope=list(scope),
                status=status,
                start_date=today - datetime.timedelta(days=30 * months),
                update_cadence_days=cadence,
                description=f"{name} for {sponsor.name}, run by {cdmo.name}.",
            ),
        )
        _staff(project, s_key, c_key, recipe, world)
        world.projects.append(project)

    _scale_up(world, extra_projects_to, today)

    world.logins = [
        ("Sponsor project lead (Acme)", email_for("acme", "lead")),
        ("Sponsor decision-maker (Acme)", email_for("acme", "dm")),
        ("Sponsor executive (Acme)", email_for("acme", "exec")),
        ("Sponsor admin (Acme)", email_for("acme", "admin")),
        ("Sponsor project lead (Helix)", email_for("helix", "lead")),
        ("CDMO project manager (Northbridge)", email_for("northbridge", "pm")),
        ("CDMO subject-matter expert (Northbridge)", email_for("northbridge", "sme")),
        ("CDMO executive (Northbridge)", email_for("northbridge", "exec")),
        ("CDMO admin (Northbridge)", email_for("northbridge", "admin")),
        ("CDMO project manager (Cascade)", email_for("cascade", "pm")),
        ("Portal staff (Django admin)", "staff@meridian.example.com"),
    ]
    return world


def _scale_up(world: World, target: int, today: datetime.date) -> None:
    """Generated projects for benchmarks, spread over every sponsor/CDMO pair."""
    missing = target - Project.objects.count()
    if missing <= 0:
        return
    sponsors = [k for *_, k in SPONSORS]
    cdmos = [k for *_, k in CDMOS]
    start = Project.objects.filter(code__startswith="GEN-").count()
    phases, modalities = list(Phase), list(Modality)
    new_projects = []
    for i in range(start, start + missing):
        s_key, c_key = sponsors[i % len(sponsors)], cdmos[(i // len(sponsors)) % len(cdmos)]
        new_projects.append(
            Project(
                sponsor=world.organizations[s_key],
                cdmo=world.organizations[c_key],
                code=f"GEN-{i:05d}",
                name=f"Generated program {i}",
                modality=modalities[i % len(modalities)],
                phase=phases[i % len(phases)],
                service_scope=[ServiceScope.PROCESS_DEV],
                start_date=today - datetime.timedelta(days=30 + i % 400),
            )
        )
    Project.objects.bulk_create(new_projects, batch_size=1000)
    members = []
    for project in Project.objects.filter(code__startswith="GEN-", members__isnull=True).select_related(
        "sponsor", "cdmo"
    ):
        s_key, c_key = project.sponsor.slug, project.cdmo.slug
        for user, role, poc in (
            (world.person(s_key, "lead"), TeamRole.SPONSOR_LEAD, True),
            (world.person(s_key, "dm"), TeamRole.DECISION_MAKER, False),
            (world.person(c_key, "pm"), TeamRole.PROJECT_MANAGER, True),
            (world.person(c_key, "sme"), TeamRole.SME, False),
        ):
            side = Side.SPONSOR if role in (TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER) else Side.CDMO
            members.append(
                ProjectMember(project=project, user=user, side=side, role=role, is_point_of_contact=poc)
            )
    ProjectMember.objects.bulk_create(members, batch_size=2000)
