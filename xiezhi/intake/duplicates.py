"""§4 duplicates: an open report in the same township within 30 days, with similar text and a nearby place."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from xiezhi.intake.models import Report, Status

WINDOW = timedelta(days=30)
TEXT_THRESHOLD = 0.35
ADDRESS_THRESHOLD = 0.5
NEAR_METRES = 300.0
OPEN = (Status.RECEIVED, Status.ACCEPTED, Status.HANDLING)
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text: str) -> set[str]:
    clean = _NOISE.sub("", text.lower())
    return {clean[i : i + 2] for i in range(len(clean) - 1)} or ({clean} if clean else set())


def similarity(a: str, b: str) -> float:
    """Dice coefficient over character bigrams: robust to Chinese word order and no tokenizer needed."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _metres(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(h))


def nearby(a: Report, b: Report) -> bool:
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        return _metres(a.latitude, a.longitude, b.latitude, b.longitude) <= NEAR_METRES  # type: ignore[arg-type]
    if not a.address or not b.address:
        return True  # same township and no address to compare: let the text decide
    return (
        a.address in b.address
        or b.address in a.address
        or similarity(a.address, b.address) >= ADDRESS_THRESHOLD
    )


def find_duplicate(report: Report) -> Report | None:
    since = timezone.now() - WINDOW
    candidates = (
        Report.objects.filter(
            county_id=report.county_id, township_id=report.township_id, status__in=OPEN, created_at__gte=since
        )
        .exclude(pk=report.pk)
        .only("pk", "text", "address", "latitude", "longitude")
        .order_by("-id")[:200]
    )
    best: tuple[float, Report | None] = (0.0, None)
    for other in candidates:
        score = similarity(report.text, other.text)
        if score >= TEXT_THRESHOLD and score > best[0] and nearby(report, other):
            best = (score, other)
    return best[1]
