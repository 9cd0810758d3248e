"""协作联动统计: the linkage workflows' obligations (DESIGN §4: the one source of on-time figures),
counted per workflow, per responsible unit and per month the clock started, for what the actor
may see (`deadlines.selectors.visible_to`: county-wide units see their county, a justice office
its townships too, any other unit only its own duties)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from xiezhi.core.actor import Actor
from xiezhi.core.errors import PermissionDenied, ValidationFailed
from xiezhi.dashboards.workflows import ALL_RULES, BY_KEY, BY_RULE, WORKFLOWS, LinkageWorkflow
from xiezhi.deadlines import selectors as obligations
from xiezhi.deadlines.models import Obligation
from xiezhi.rulebook.zh import SHANGHAI
from xiezhi.units.models import Unit

OVERDUE_LIMIT = 200
MAX_MONTHS = 36
COUNT_FIELDS = ("on_time", "counted", "open", "overdue", "met", "met_late", "waived")


def require_business(actor: Actor) -> None:
    if not actor.can_act_in_business or actor.unit is None:
        raise PermissionDenied("管理员账号不办理执法业务，不能查看协作联动统计")


@dataclass
class Counts:
    on_time: int = 0
    counted: int = 0
    open: int = 0
    overdue: int = 0
    met: int = 0
    met_late: int = 0
    waived: int = 0

    def add(self, row: dict[str, Any]) -> None:
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + (row[name] or 0))

    @property
    def total(self) -> int:
        return self.open + self.overdue + self.met + self.waived

    @property
    def percent(self) -> float | None:
        """Met on time / (met + overdue), in percent with one decimal; None when nothing is judged."""
        return round(self.on_time * 100 / self.counted, 1) if self.counted else None

    @property
    def text(self) -> str:
        p = self.percent
        return "—" if p is None else f"{p:.1f}%"

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in COUNT_FIELDS} | {"rate": self.percent}


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def start(self) -> datetime:
        return datetime.combine(date(self.year, self.month, 1), time(0), tzinfo=SHANGHAI)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)


@dataclass(frozen=True)
class Filters:
    month_from: Month
    month_to: Month
    unit: Unit | None = None
    workflow: LinkageWorkflow | None = None

    @property
    def months(self) -> list[Month]:
        out: list[Month] = []
        m = self.month_from
        while m <= self.month_to:
            out.append(m)
            m = m.next()
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "month_from": self.month_from.key,
            "month_to": self.month_to.key,
            "unit": self.unit.pk if self.unit else None,
            "workflow": self.workflow.key if self.workflow else None,
        }


def _month(raw: str, name: str) -> Month:
    text = raw.strip()
    try:
        year, month = (int(p) for p in text.split("-"))
        if len(text) != 7 or not 2000 <= year <= 2100 or not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise ValidationFailed.field(name, "月份格式有误，应为“2025-10”这样的年月") from None
    return Month(year, month)


def units_for(actor: Actor) -> QuerySet[Unit]:
    """The units the actor may filter by: those whose obligations it can see."""
    if actor.unit is None:
        return Unit.objects.none()
    if actor.is_county_wide:
        return Unit.objects.filter(county_id=actor.unit.county_id).order_by("kind", "code")
    return Unit.objects.filter(pk__in=obligations.visible_to(actor).values("unit_id")).order_by("kind", "code")


def parse_filters(actor: Actor, params: QueryDict | dict[str, Any]) -> Filters:
    """The query parameters month_from/month_to (YYYY-MM, default: this year up to this month),
    unit and workflow; anything malformed or out of the actor's sight is refused in Chinese."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}

    def get(name: str) -> str:
        value = params.get(name)
        return "" if value is None else str(value).strip()

    months: dict[str, Month] = {}
    for name, default in (("month_from", Month(today.year, 1)), ("month_to", Month(today.year, today.month))):
        try:
            months[name] = _month(get(name), name) if get(name) else default
        except ValidationFailed as exc:
            errors.update(exc.details)
    if not errors:
        if months["month_to"] < months["month_from"]:
            errors["month_to"] = ["结束月份不能早于起始月份"]
        elif len(Filters(months["month_from"], months["month_to"]).months) > MAX_MONTHS:
            errors["month_to"] = [f"统计区间最长{MAX_MONTHS}个月"]
    unit: Unit | None = None
    if get("unit"):
        raw = get("unit")
        unit = units_for(actor).filter(pk=int(raw)).first() if raw.isdigit() else None
        if unit is None:
            errors["unit"] = ["单位无效或不在您的查看范围内"]
    workflow: LinkageWorkflow | None = None
    if get("workflow"):
        workflow = BY_KEY.get(get("workflow"))
        if workflow is None:
            errors["workflow"] = ["业务类型无效"]
    if errors:
        raise ValidationFailed("筛选条件有误", details=errors)
    return Filters(months["month_from"], months["month_to"], unit, workflow)


def scoped(actor: Actor, filters: Filters) -> QuerySet[Obligation]:
    """The linkage obligations the actor may see whose clock started in the month range."""
    rules = filters.workflow.rules if filters.workflow else ALL_RULES
    qs = obligations.visible_to(actor).filter(
        rule_id__in=rules,
        opened_at__gte=filters.month_from.start(),
        opened_at__lt=filters.month_to.next().start(),
    )
    return qs.filter(unit_id=filters.unit.pk) if filters.unit else qs


@dataclass
class UnitRow:
    unit_id: int
    name: str
    total: Counts = field(default_factory=Counts)
    workflows: dict[str, Counts] = field(default_factory=dict)


@dataclass
class WorkflowRow:
    workflow: LinkageWorkflow
    total: Counts = field(default_factory=Counts)
    months: dict[str, Counts] = field(default_factory=dict)


@dataclass
class OverdueRow:
    obligation: Obligation
    workflow: LinkageWorkflow
    url: str


@dataclass
class Stats:
    filters: Filters
    total: Counts
    workflows: list[WorkflowRow]
    units: list[UnitRow]
    months: list[tuple[Month, Counts]]
    overdue: list[OverdueRow]
    cells: list[tuple[LinkageWorkflow, int, str, Month, Counts]]  # workflow × unit × month, for CSV

    def unit_matrix(self) -> list[tuple[UnitRow, list[Counts | None]]]:
        """Each unit's figures per workflow, in the order of `workflows` (None: no duty of that kind)."""
        return [(u, [u.workflows.get(w.workflow.key) for w in self.workflows]) for u in self.units]

    def chart(self) -> dict[str, Any]:
        """The data block static/dashboards/linkage.js draws from."""
        month_keys = [m.key for m, _ in self.months]
        return {
            "months": [m.label for m, _ in self.months],
            "monthly_rate": [c.percent for _, c in self.months],
            "workflows": [w.workflow.label for w in self.workflows],
            "workflow_rate": [w.total.percent for w in self.workflows],
            "workflow_open": [w.total.open for w in self.workflows],
            "workflow_overdue": [w.total.overdue for w in self.workflows],
            "workflow_met": [w.total.met for w in self.workflows],
            "workflow_waived": [w.total.waived for w in self.workflows],
            "workflow_months": [
                {
                    "name": w.workflow.label,
                    "data": [w.months[k].percent if k in w.months else None for k in month_keys],
                }
                for w in self.workflows
            ],
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "filters": self.filters.as_dict(),
            "total": self.total.as_dict(),
            "workflows": [
                {
                    "key": w.workflow.key,
                    "label": w.workflow.label,
                    "rules": list(w.workflow.rules),
                    **w.total.as_dict(),
                    "by_month": {k: c.as_dict() for k, c in w.months.items()},
                }
                for w in self.workflows
            ],
            "by_unit": [
                {
                    "unit_id": u.unit_id,
                    "unit": u.name,
                    **u.total.as_dict(),
                    "by_workflow": {k: c.as_dict() for k, c in u.workflows.items()},
                }
                for u in self.units
            ],
            "by_month": [{"month": m.key, **c.as_dict()} for m, c in self.months],
            "overdue": [
                {
                    "id": r.obligation.pk,
                    "workflow": r.workflow.key,
                    "workflow_label": r.workflow.label,
                    "rule_id": r.obligation.rule_id,
                    "unit": r.obligation.unit.name,
                    "unit_id": r.obligation.unit_id,
                    "subject": r.obligation.subject_label,
                    "url": r.url,
                    "due_at": r.obligation.due_at.isoformat(),
                    "escalation_level": r.obligation.escalation_level,
                }
                for r in self.overdue
            ],
        }


def _urls(obs: list[Obligation]) -> dict[int, str]:
    """The obligation's stored link, else the subject's own page when its model has one. Subjects
    are loaded in one query per content type; a deleted subject simply has no link."""
    urls = {ob.pk: ob.subject_url for ob in obs if ob.subject_url}
    missing: dict[int, list[Obligation]] = defaultdict(list)
    for ob in obs:
        if ob.pk not in urls:
            missing[ob.subject_type_id].append(ob)
    for type_id, group in missing.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or not hasattr(model, "get_absolute_url"):
            continue
        ids = [ob.subject_id for ob in group]
        subjects = {str(pk): s for pk, s in model._default_manager.in_bulk(ids).items()}
        for ob in group:
            subject = subjects.get(ob.subject_id)
            if subject is not None:
                urls[ob.pk] = str(subject.get_absolute_url())  # type: ignore[attr-defined]
    return urls


def statistics(actor: Actor, filters: Filters) -> Stats:
    require_business(actor)
    qs = scoped(actor, filters)
    by_workflow = {w.key: WorkflowRow(w) for w in WORKFLOWS if filters.workflow in (None, w)}
    units: dict[int, UnitRow] = {}
    months = {m.key: (m, Counts()) for m in filters.months}
    total = Counts()
    cells: dict[tuple[str, int, str], tuple[LinkageWorkflow, int, str, Month, Counts]] = {}
    for row in obligations.on_time_grouped(qs, "rule_id", "unit_id", "unit__name", "month", statuses=True):
        workflow = BY_RULE[row["rule_id"]]
        month_start = row["month"].astimezone(SHANGHAI)
        month = Month(month_start.year, month_start.month)
        total.add(row)
        w = by_workflow[workflow.key]
        w.total.add(row)
        w.months.setdefault(month.key, Counts()).add(row)
        u = units.setdefault(row["unit_id"], UnitRow(row["unit_id"], row["unit__name"]))
        u.total.add(row)
        u.workflows.setdefault(workflow.key, Counts()).add(row)
        months[month.key][1].add(row)
        cell_key = (workflow.key, row["unit_id"], month.key)
        if cell_key not in cells:
            cells[cell_key] = (workflow, row["unit_id"], row["unit__name"], month, Counts())
        cells[cell_key][4].add(row)
    overdue_obs = list(qs.filter(status="overdue").order_by("due_at", "pk")[:OVERDUE_LIMIT])
    urls = _urls(overdue_obs)
    order = {w.key: i for i, w in enumerate(WORKFLOWS)}
    return Stats(
        filters=filters,
        total=total,
        workflows=list(by_workflow.values()),
        units=sorted(units.values(), key=lambda u: u.name),
        months=[months[m.key] for m in filters.months],
        overdue=[OverdueRow(ob, BY_RULE[ob.rule_id], urls.get(ob.pk, "")) for ob in overdue_obs],
        cells=sorted(cells.values(), key=lambda c: (order[c[0].key], c[2], c[3].key)),
    )


CSV_HEADER = (
    "业务", "责任单位", "月份", "按时办结", "纳入统计", "按时率", "进行中", "已超期", "已完成", "其中超时完成", "已免除",
)


def csv_rows(stats: Stats) -> list[list[Any]]:
    """One line per workflow × unit × month; the rate is met on time / (met + overdue)."""
    return [
        [
            w.label, name, month.key, c.on_time, c.counted, c.text, c.open, c.overdue, c.met, c.met_late, c.waived,
        ]
        for w, _, name, month, c in stats.cells
    ]
