"""Reads of the directory, each scoped to an actor, and the certificate question other apps ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from xiezhi.core.actor import Actor
from xiezhi.units.models import (
    ENFORCING_KINDS,
    EXPIRY_WARNING_DAYS,
    LIAISON_REQUIRED_KINDS,
    Certificate,
    CertificateStatus,
    Person,
    Role,
    RoleAssignment,
    Unit,
    UnitKind,
)

# Lists show units in the order a county directory is read, not alphabetically by kind.
KIND_ORDER = [
    UnitKind.COUNTY_GOVERNMENT,
    UnitKind.COMMAND_CENTRE,
    UnitKind.JUSTICE_BUREAU,
    UnitKind.DEPARTMENT,
    UnitKind.TOWNSHIP,
    UnitKind.JUSTICE_OFFICE,
    UnitKind.POLICE,
    UnitKind.PROCURATORATE,
    UnitKind.COURT,
]


def kind_rank(field: str = "kind") -> Case:
    return Case(
        *[When(**{field: kind}, then=Value(i)) for i, kind in enumerate(KIND_ORDER)],
        default=Value(len(KIND_ORDER)),
        output_field=IntegerField(),
    )


ASSISTANT_LABEL = "协管/辅助人员"
OFFICER_LABEL = "执法人员"


# --- certificates (R-CASE-01) -------------------------------------------------------------------


def valid_certificates_on(on_date: date) -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        status=CertificateStatus.VALID, valid_from__lte=on_date, valid_to__gte=on_date
    )


def has_valid_certificate(person: Person | int, on_date: date) -> bool:
    """Whether the person holds an enforcement certificate that is valid (not suspended or
    cancelled) on `on_date`. Only such officers may enforce; everyone else is an assistant
    (协管/辅助人员) and never enforces (R-CASE-01)."""
    person_id = person.pk if isinstance(person, Person) else person
    return valid_certificates_on(on_date).filter(holder_id=person_id).exists()


def with_officer_flag(people: QuerySet[Person], on_date: date | None = None) -> QuerySet[Person]:
    """Annotate `is_officer` (a valid certificate on the date) so lists can label assistants."""
    day = on_date or timezone.localdate()
    return people.annotate(is_officer=Exists(valid_certificates_on(day).filter(holder_id=OuterRef("pk"))))


def officers(unit: Unit | int, on_date: date) -> QuerySet[Person]:
    """Active people of the unit who may enforce on `on_date` (R-CASE-01)."""
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    return Person.objects.filter(unit_id=unit_id, active=True).filter(
        Exists(valid_certificates_on(on_date).filter(holder_id=OuterRef("pk")))
    )


def is_assistant(is_officer: bool, unit_kind: str) -> bool:
    return not is_officer and unit_kind in ENFORCING_KINDS


def category_label(is_officer: bool, unit_kind: str) -> str:
    """执法人员 for certified officers; 协管/辅助人员 for uncertified staff of enforcing units;
    empty for others, who are not enforcement staff at all."""
    if is_officer:
        return OFFICER_LABEL
    return ASSISTANT_LABEL if unit_kind in ENFORCING_KINDS else ""


# --- units --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitFilters:
    q: str = ""
    kind: str = ""
    active: bool | None = None
    is_enforcement_subject: bool | None = None
    county_id: int | None = None
    parent_id: int | None = None


def search_units(actor: Actor, f: UnitFilters) -> QuerySet[Unit]:
    qs = Unit.objects.visible_to(actor).select_related("county", "parent")
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(code__icontains=f.q) | Q(short_name__icontains=f.q))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.active is not None:
        qs = qs.filter(active=f.active)
    if f.is_enforcement_subject is not None:
        qs = qs.filter(is_enforcement_subject=f.is_enforcement_subject)
    if f.county_id is not None:
        qs = qs.filter(county_id=f.county_id)
    if f.parent_id is not None:
        qs = qs.filter(parent_id=f.parent_id)
    return qs.annotate(
        has_liaison=Exists(_active_liaisons().filter(person__unit_id=OuterRef("pk")))
    ).order_by("county_id", "kind", "code")


def review_cutoff(today: date) -> date:
    """Reviews on or before this date are more than a year old (the list is reviewed yearly, R-CAT-07)."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago - timedelta(days=1)


def subject_review_due(unit: Unit, today: date) -> bool:
    if not unit.is_enforcement_subject:
        return False
    return unit.subject_review_date is None or unit.subject_review_date <= review_cutoff(today)


def enforcement_subjects(actor: Actor, today: date, *, due_only: bool = False) -> QuerySet[Unit]:
    """Active units with enforcement-subject status; `due_only` keeps those whose yearly review is
    overdue (never reviewed, or last reviewed more than a year ago)."""
    qs = (
        Unit.objects.visible_to(actor)
        .filter(is_enforcement_subject=True, active=True)
        .select_related("county")
    )
    if due_only:
        qs = qs.filter(Q(subject_review_date__isnull=True) | Q(subject_review_date__lte=review_cutoff(today)))
    return qs.annotate(kind_rank=kind_rank()).order_by("subject_review_date", "kind_rank", "code")


# --- people -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFilters:
    q: str = ""
    unit_id: int | None = None
    role: str = ""
    active: bool | None = None
    officer: bool | None = None  # True: certified officers; False: assistants (enforcing units only)


def people_for_listing(actor: Actor, on_date: date | None = None) -> QuerySet[Person]:
    roles = Prefetch("roles", queryset=RoleAssignment.objects.order_by("role"))
    return with_officer_flag(
        Person.objects.visible_to(actor).select_related("unit", "section").prefetch_related(roles), on_date
    )


def search_people(actor: Actor, f: PersonFilters) -> QuerySet[Person]:
    qs = people_for_listing(actor)
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(post__icontains=f.q) | Q(unit__name__icontains=f.q))
    if f.unit_id is not None:
        qs = qs.filter(unit_id=f.unit_id)
    if f.role:
        qs = qs.filter(roles__role=f.role)
    if f.active is not None:
        qs = qs.filter(active=f.active)
    if f.officer is not None:
        certified = Exists(valid_certificates_on(timezone.localdate()).filter(holder_id=OuterRef("pk")))
        qs = (
            qs.filter(certified)
            if f.officer
            else qs.exclude(certified).filter(unit__kind__in=sorted(ENFORCING_KINDS))
        )
    return qs.annotate(kind_rank=kind_rank("unit__kind")).order_by("kind_rank", "unit__code", "name", "pk")


# --- liaisons (R-CO-06) -------------------------------------------------------------------------


def _active_liaisons() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(role=Role.LIAISON, person__active=True)


def liaisons(actor: Actor) -> QuerySet[Person]:
    """Active people holding the liaison role, by unit."""
    return (
        people_for_listing(actor)
        .filter(active=True, roles__role=Role.LIAISON, unit__active=True)
        .annotate(kind_rank=kind_rank("unit__kind"))
        .order_by("kind_rank", "unit__code", "name")
    )


def liaison_gaps(actor: Actor) -> QuerySet[Unit]:
    """Active townships and departments with no active liaison: each must name one (R-CO-06)."""
    return (
        Unit.objects.visible_to(actor)
        .filter(active=True, kind__in=sorted(LIAISON_REQUIRED_KINDS))
        .exclude(Exists(_active_liaisons().filter(person__unit_id=OuterRef("pk"))))
        .select_related("county")
        .annotate(kind_rank=kind_rank())
        .order_by("county_id", "kind_rank", "code")
    )


# --- certificates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFilters:
    q: str = ""
    holder_id: int | None = None
    unit_id: int | None = None
    status: str = ""
    valid_on: date | None = None
    expiring: bool = False  # valid now and ending within EXPIRY_WARNING_DAYS
    expired: bool = False


def search_certificates(
    actor: Actor, f: CertificateFilters, today: date | None = None
) -> QuerySet[Certificate]:
    day = today or timezone.localdate()
    qs = Certificate.objects.visible_to(actor).select_related("holder", "holder__unit")
    if f.q:
        qs = qs.filter(Q(number__icontains=f.q) | Q(holder__name__icontains=f.q) | Q(fields__icontains=f.q))
    if f.holder_id is not None:
        qs = qs.filter(holder_id=f.holder_id)
    if f.unit_id is not None:
        qs = qs.filter(holder__unit_id=f.unit_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.valid_on is not None:
        qs = qs.filter(status=CertificateStatus.VALID, valid_from__lte=f.valid_on, valid_to__gte=f.valid_on)
    if f.expiring:
        qs = qs.filter(
            status=CertificateStatus.VALID,
            valid_to__gte=day,
            valid_to__lte=day + timedelta(days=EXPIRY_WARNING_DAYS),
        )
    if f.expired:
        qs = qs.filter(valid_to__lt=day)
    return qs.order_by("valid_to", "number")
