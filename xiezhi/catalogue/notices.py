"""Telling townships and departments what a newly published version changes for them (R-CAT-05).

Each affected unit gets one inbox notice listing its own changes: a township hears about the modes
changed in it and about legal-basis changes of matters it exercises; a department hears about its
matters (added, removed, devolved differently, legal basis changed). The first version of a county
is announced to every township and department. Notices are deduplicated per version and unit.
"""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse

from xiezhi.catalogue.models import CatalogueVersion, Matter
from xiezhi.catalogue.snapshot import unit_index
from xiezhi.notifications.services import notify
from xiezhi.rulebook import jurisdiction as jr
from xiezhi.rulebook.zh import format_date_zh
from xiezhi.units.models import Unit, UnitKind

MAX_LINES = 60


def _body(intro: str, lines: list[str]) -> str:
    shown = lines[:MAX_LINES]
    more = f"\n……另有{len(lines) - MAX_LINES}项变化，请查看版本对比" if len(lines) > MAX_LINES else ""
    return (intro + "\n" + "\n".join(f"· {line}" for line in shown) + more)[:3900]


def changes_by_unit(change: jr.VersionDiff, townships: dict[str, str]) -> dict[str, list[str]]:
    """Unit code → the lines that concern it."""
    out: dict[str, list[str]] = defaultdict(list)
    for m in change.added:
        out[m.department_code].append(f"新增事项{m.code}（{m.name}）")
    for m in change.removed:
        out[m.department_code].append(f"删除事项{m.code}（{m.name}）")
    for mc in change.mode_changed:
        old = mc.old.label if mc.old else "未设定"
        new = mc.new.label if mc.new else "未设定"
        town = townships.get(mc.township_code, mc.township_code)
        out[mc.township_code].append(f"事项{mc.matter_code}：由{old}改为{new}")
        out[f"dept:{mc.matter_code}"].append(f"事项{mc.matter_code}在{town}：由{old}改为{new}")
    for b in change.basis_changed:
        line = f"事项{b.matter_code}的{jr.BASIS_LABELS[b.field]}由“{b.old}”改为“{b.new}”"
        for town in b.notify_townships:
            out[town].append(line)
        out[f"dept:{b.matter_code}"].append(line)
    for dc in change.department_changed:
        line = f"事项{dc.matter_code}的主管部门由{dc.old.name}改为{dc.new.name}"
        out[dc.old.code].append(line)
        out[dc.new.code].append(line)
    return out


def publication(
    version: CatalogueVersion, previous: CatalogueVersion | None, change: jr.VersionDiff | None
) -> int:
    """Send the notices for a publication; returns how many units were notified."""
    units = unit_index(version.county_id)
    by_code = {u.code: u for u in Unit.objects.filter(county_id=version.county_id)}
    when = format_date_zh(version.effective_from)
    title = f"第{version.number}版事项目录已公布，{when}施行"
    url = reverse("catalogue:version_detail", args=[version.pk])
    sent = 0
    if change is None:
        recipients = [
            u for u in by_code.values() if u.kind in (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT) and u.active
        ]
        for unit in recipients:
            notify(
                title=title,
                body=f"本县第{version.number}版行政执法事项目录已公布，自{when}起施行。请查看本单位的事项和下放方式。",
                dedupe_key=f"catalogue.published:{version.pk}:{unit.pk}",
                unit=unit,
                url=url,
                kind="catalogue",
            )
            sent += 1
        return sent
    assert previous is not None
    lines = changes_by_unit(change, units.townships)
    # Lines keyed "dept:<matter code>" go to the department owning the matter in the new version (or the old one).
    codes = {key[5:] for key in lines if key.startswith("dept:")}
    owners = dict(
        Matter.objects.filter(county_id=version.county_id, code__in=codes).values_list(
            "code", "department__code"
        )
    )
    merged: dict[str, list[str]] = defaultdict(list)
    for key, items in lines.items():
        target = owners.get(key[5:], "") if key.startswith("dept:") else key
        merged[target].extend(items)
    url = reverse("catalogue:version_diff") + f"?a={previous.pk}&b={version.pk}"
    for code, items in sorted(merged.items()):
        recipient = by_code.get(code)
        if recipient is None or not items:
            continue
        notify(
            title=title,
            body=_body(
                f"与第{previous.number}版相比，涉及{recipient.name}的变化：", list(dict.fromkeys(items))
            ),
            dedupe_key=f"catalogue.published:{version.pk}:{recipient.pk}",
            unit=recipient,
            url=url,
            kind="catalogue",
        )
        sent += 1
    return sent
