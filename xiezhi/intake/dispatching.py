"""The platform side of the dispatch assistant: train and keep versioned model files under var/,
load the newest once per process, and answer the intake form's live suggestions."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from xiezhi.catalogue.models import Matter as MatterRow
from xiezhi.catalogue.snapshot import cached_snapshot
from xiezhi.intake.models import Report, Status
from xiezhi.rulebook import dispatch as rd
from xiezhi.units.models import Unit, UnitKind

CATALOGUE_CSV = Path(settings.BASE_DIR) / "xiezhi" / "catalogue" / "data" / "matters.csv"
CONFIRMED = (Status.ACCEPTED, Status.HANDLING, Status.REPLIED, Status.CLOSED)
KEEP = 5  # model files kept; older ones are deleted after a successful training
_lock = threading.Lock()
_loaded: tuple[Path, rd.DispatchIndex] | None = None


def model_dir() -> Path:
    return Path(settings.VAR_DIR) / "dispatch"


def latest_model() -> Path | None:
    """The newest model file of the format this code reads. Files of another format version (left
    by an upgrade) are ignored, so the platform answers "no model yet" and the hourly
    `dispatch_retrain` job trains one, instead of every suggestion failing on an unreadable file."""
    found = sorted(model_dir().glob(f"dispatch-*-v{rd.FORMAT_VERSION}.model"))
    return found[-1] if found else None


def available() -> bool:
    return latest_model() is not None


def catalogue_matters() -> list[rd.Matter]:
    rows = MatterRow.objects.order_by("code").values(
        "code", "name", "field", "legal_basis_violation", "legal_basis_penalty", "penalty"
    )
    seen: dict[str, rd.Matter] = {}
    for r in rows:
        seen.setdefault(r["code"], rd.Matter(**r))
    return list(seen.values()) if seen else rd.load_matters(CATALOGUE_CSV)


def confirmed_rows() -> list[rd.LabelledText]:
    """Reports whose matter a unit confirmed by accepting them: the county's own training data."""
    qs = (
        Report.objects.filter(status__in=CONFIRMED)
        .exclude(matter_code="")
        .values_list("pk", "text", "matter_code")
    )
    return [rd.LabelledText(text=t, matter_code=c, id=f"report-{pk}") for pk, t, c in qs]


def train_and_save(*, tune: bool = True) -> tuple[Path, int]:
    matters = catalogue_matters()
    known = {m.code for m in matters}
    rows = [
        r for r in rd.load_rows(rd.BUNDLED_DEV_SET) + confirmed_rows() if r.is_none or r.matter_code in known
    ]
    model = rd.train(rows, matters, tune=tune)
    model_dir().mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    path = model_dir() / f"dispatch-{stamp}-v{rd.FORMAT_VERSION}.model"
    model.save(path)
    for old in sorted(model_dir().glob("dispatch-*.model"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return path, len(rows)


def retrain_due(max_age_hours: float = 24) -> bool:
    """A model is retrained daily once confirmed dispatches exist beyond the bundled set."""
    path = latest_model()
    if path is None:
        return True
    age = timezone.now().timestamp() - path.stat().st_mtime
    newer = (
        Report.objects.filter(
            status__in=CONFIRMED, updated_at__gt=datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        )
        .exclude(matter_code="")
        .exists()
    )
    return age > max_age_hours * 3600 and newer


def index() -> rd.DispatchIndex | None:
    global _loaded
    path = latest_model()
    if path is None:
        return None
    with _lock:
        if _loaded is None or _loaded[0] != path:
            _loaded = (path, rd.DispatchIndex.load(path))
        return _loaded[1]


def suggestions(text: str, township: str, county_id: int | None) -> rd.DispatchResult | None:
    idx = index()
    if idx is None:
        return None
    town = (
        Unit.objects.filter(pk=int(township), kind=UnitKind.TOWNSHIP).first() if township.isdigit() else None
    )
    if town is None or county_id is None:
        return rd.suggest(text, "", timezone.localdate(), index=idx, k=3)
    return rd.suggest(
        text, town.code, timezone.localdate(), index=idx, catalogue=cached_snapshot(county_id), k=3
    )


def matter_name(code: str) -> str:
    row = MatterRow.objects.filter(code=code).values_list("name", flat=True).first()
    return row or ""
