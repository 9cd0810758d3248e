"""Turning submitted values into typed ones, with a Chinese message per field.

Pages submit strings and the API submits typed JSON; both go through the same services, so the
services clean their input here rather than trusting either front end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from xiezhi.core.errors import ValidationFailed
from xiezhi.rulebook.zh import SHANGHAI
from xiezhi.units.models import Section, Unit

# A time a few minutes ahead is clock skew between a phone and the server, not the future.
CLOCK_SKEW = timedelta(minutes=5)

_TRUE = {"1", "true", "on", "yes", "是"}
_FALSE = {"", "0", "false", "off", "no", "否"}


class Cleaner:
    """Collects field errors instead of stopping at the first, so a form shows them all at once.

    Only fields present in `data` are cleaned (a partial update leaves the others alone); a
    required field must be present when `creating`, and may not be blanked out on update.
    """

    def __init__(self, data: Mapping[str, Any], *, creating: bool) -> None:
        self.data = data
        self.creating = creating
        self.errors: dict[str, list[str]] = {}
        self.cleaned: dict[str, Any] = {}

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def present(self, name: str) -> bool:
        return name in self.data

    def _missing(self, name: str, label: str, required: bool) -> bool:
        """True when the field is absent or empty; records 'required' errors."""
        if name not in self.data:
            if required and self.creating:
                self.error(name, f"请填写{label}")
            return True
        raw = self.data[name]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.error(name, f"请填写{label}")
                return True
            self.cleaned[name] = None
            return True
        return False

    def text(self, name: str, label: str, *, max_length: int, required: bool = False) -> None:
        if name not in self.data:
            if required and self.creating:
                self.error(name, f"请填写{label}")
            return
        value = str(self.data[name] if self.data[name] is not None else "").strip()
        if required and not value:
            self.error(name, f"请填写{label}")
        elif len(value) > max_length:
            self.error(name, f"{label}不能超过{max_length}个字")
        else:
            self.cleaned[name] = value

    def choice(
        self, name: str, label: str, choices: Iterable[tuple[str, str]], *, required: bool = False
    ) -> None:
        if self._missing(name, label, required):
            if name in self.cleaned:
                self.cleaned[name] = ""
            return
        value = str(self.data[name]).strip()
        allowed = dict(choices)
        if value not in allowed:
            self.error(name, f"{label}“{value}”无效，可选：{'、'.join(allowed.values())}")
        else:
            self.cleaned[name] = value

    def integer(self, name: str, label: str, *, required: bool = False) -> None:
        if self._missing(name, label, required):
            return
        raw = self.data[name]
        if isinstance(raw, bool):
            self.error(name, f"{label}格式有误")
            return
        try:
            self.cleaned[name] = int(raw)
        except (TypeError, ValueError):
            self.error(name, f"{label}格式有误")

    def boolean(self, name: str, label: str) -> None:
        if name not in self.data:
            return
        raw = self.data[name]
        if isinstance(raw, bool) or raw is None:
            self.cleaned[name] = bool(raw)
            return
        text = str(raw).strip().lower()
        if text in _TRUE:
            self.cleaned[name] = True
        elif text in _FALSE:
            self.cleaned[name] = False
        else:
            self.error(name, f"{label}应为“是”或“否”")

    def date(self, name: str, label: str, *, required: bool = False) -> None:
        if self._missing(name, label, required):
            return
        raw = self.data[name]
        if isinstance(raw, datetime):
            self.cleaned[name] = raw.date()
        elif isinstance(raw, date):
            self.cleaned[name] = raw
        else:
            try:
                self.cleaned[name] = date.fromisoformat(str(raw).strip())
            except ValueError:
                self.error(name, f"{label}格式有误，应为“2025-10-08”这样的日期")

    def time(self, name: str, label: str, *, required: bool = False) -> None:
        if self._missing(name, label, required):
            return
        raw = self.data[name]
        if isinstance(raw, time):
            self.cleaned[name] = raw
            return
        try:
            self.cleaned[name] = time.fromisoformat(str(raw).strip())
        except ValueError:
            self.error(name, f"{label}格式有误，应为“17:30”这样的时间")

    def moment(self, name: str, label: str, *, required: bool = False, not_future: bool = True) -> None:
        if self._missing(name, label, required):
            return
        value = parse_moment(self.data[name])
        if value is None:
            self.error(name, f"{label}格式有误，应为“2025-10-08T09:30”这样的时间")
        elif not_future and value > timezone.now() + CLOCK_SKEW:
            self.error(name, f"{label}不能晚于当前时间")
        else:
            self.cleaned[name] = value

    def unit(self, name: str, label: str, county_id: int, *, required: bool = False) -> None:
        """A unit of the county by id, Unit, code or name; an internal section is refused (R-TR-01)."""
        if self._missing(name, label, required):
            return
        raw = self.data[name]
        if isinstance(raw, Section):
            self.error(name, section_message(raw, label))
            return
        if isinstance(raw, Unit):
            found: Unit | None = raw if raw.county_id == county_id else None
        elif (isinstance(raw, int) and not isinstance(raw, bool)) or (
            isinstance(raw, str) and raw.strip().isdigit()
        ):
            found = Unit.objects.filter(county_id=county_id, pk=int(raw)).first()
        else:
            text = str(raw).strip()
            found = Unit.objects.filter(Q(code=text) | Q(name=text), county_id=county_id).first()
            if found is None:
                section = find_section(text, county_id)
                if section is not None:
                    self.error(name, section_message(section, label))
                    return
        if found is None:
            self.error(name, f"{label}不存在：{raw}")
        elif not found.active:
            self.error(name, f"{label}“{found.name}”已停用")
        else:
            self.cleaned[name] = found

    def raise_if_errors(self) -> None:
        if self.errors:
            first = next(iter(self.errors.values()))[0]
            raise ValidationFailed(
                first if len(self.errors) == 1 else "提交的数据有误，请检查标出的项目", details=self.errors
            )


def final(cleaned: Mapping[str, Any], instance: Any, name: str, default: Any = None) -> Any:
    """The value a field will have after the change: the cleaned one, else the stored one."""
    if name in cleaned:
        return cleaned[name]
    return getattr(instance, name, default) if instance is not None else default


def parse_moment(raw: Any) -> datetime | None:
    """An ISO datetime (naive = Beijing time) or a datetime; None when unparseable."""
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw).strip())
        except ValueError:
            return None
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


def find_section(text: str, county_id: int) -> Section | None:
    """A section named either "执法中队" or with its unit, "城关镇执法中队"."""
    for section in Section.objects.select_related("unit").filter(unit__county_id=county_id):
        if text in (section.name, f"{section.unit.name}{section.name}"):
            return section
    return None


def section_message(section: Section, label: str) -> str:
    # Only a township government or a county department acts in its own name; the message cites the
    # transfer rule because that is where the question first arises (R-TR-01).
    return (
        f"“{section}”是{section.unit.name}的内设机构，不能作为{label}；"
        f"移送须以乡镇人民政府或县级部门的名义进行，请选择“{section.unit.name}”（R-TR-01）"
    )
