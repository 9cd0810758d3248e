"""Is the receiver competent for the matter in that township on the day of discovery?

The catalogue's resolver answers (R-CAT-02..06). A transfer to a unit that is not competent is not
refused — the facts may show the catalogue entry does not fit — but the sender and receiver see a
warning with the resolver's explanation. Accepting is where the guard bites: the receiver must be
allowed to penalise (`catalogue.services.ensure_may_penalise`, called by `replies.accept`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from xiezhi.catalogue import services as catalogue
from xiezhi.catalogue.models import Matter
from xiezhi.core.errors import ValidationFailed
from xiezhi.units.models import Unit


@dataclass(frozen=True)
class Competence:
    ok: bool | None  # None: the catalogue cannot say (no version in force on that date)
    warning: str
    explanation: str


def discovery_date(transfer_discovered_at: object) -> date:
    return timezone.localdate(transfer_discovered_at)  # type: ignore[arg-type]


def assess(matter: Matter, township: Unit, sender: Unit, receiver: Unit, on_date: date) -> Competence:
    try:
        r = catalogue.resolve(matter, township, on_date)
    except ValidationFailed as exc:
        return Competence(None, f"无法按事项目录核对管辖：{exc.message}", "")
    if r.permits(receiver.code, "penalise"):
        if r.permits(sender.code, "penalise"):
            return Competence(
                True,
                f"提示：{sender.name}本身也可就该事项在{township.name}执法，请确认确需移送（{r.explanation}）",
                r.explanation,
            )
        return Competence(True, "", r.explanation)
    return Competence(
        False,
        f"接收单位{receiver.name}在{township.name}对该事项没有处罚权，可能不是有管辖权的单位：{r.explanation}",
        r.explanation,
    )
