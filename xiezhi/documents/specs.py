"""Declarative document specs: the fields a document type needs, their validation, and the assembly
of a `Layout` from a spec plus its generator's body paragraphs.

Data is a flat JSON-able dict. Field kinds: text, lines (a list of strings), date ("2025-10-08"),
datetime (ISO 8601; naive values are Shanghai wall-clock time) and choice (one of the keys).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from xiezhi.core.errors import ValidationFailed
from xiezhi.documents.layout import Block, Layout
from xiezhi.rulebook.zh import SHANGHAI, format_date_zh

Kind = Literal["text", "lines", "date", "datetime", "choice"]
MAX_TEXT = 5000
MAX_LINES = 50


def format_datetime_official(value: datetime) -> str:
    """The way official documents write a moment: "2025年10月8日9时30分" (Shanghai time)."""
    local = value.astimezone(SHANGHAI) if value.tzinfo else value
    return f"{format_date_zh(local.date())}{local.hour}时{local.minute}分"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Kind = "text"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = MAX_TEXT


@dataclass(frozen=True)
class Context:
    """What the issuing service adds to the data: who issues, when, under which number."""

    issuer: str
    issued_on: date
    number: str


class Values:
    """Read access to validated data, formatted for the document (dates in Chinese, choice labels)."""

    def __init__(self, spec: DocSpec, data: Mapping[str, Any]):
        self._fields = {f.name: f for f in spec.fields}
        self._data = data

    def has(self, name: str) -> bool:
        value = self._data.get(name)
        return bool(value.strip()) if isinstance(value, str) else bool(value)

    def raw(self, name: str) -> Any:
        return self._data.get(name)

    def lines(self, name: str) -> list[str]:
        value = self._data.get(name) or []
        return [str(v) for v in value]

    def __getitem__(self, name: str) -> str:
        spec = self._fields[name]
        value = self._data.get(name)
        if value in (None, "", []):
            return ""
        if spec.kind == "date":
            return format_date_zh(date.fromisoformat(value))
        if spec.kind == "datetime":
            return format_datetime_official(datetime.fromisoformat(value))
        if spec.kind == "choice":
            return dict(spec.choices)[value]
        if spec.kind == "lines":
            return "、".join(self.lines(name))
        return str(value)


Body = Callable[[Values, Context], list[Block]]
Check = Callable[[Values], dict[str, list[str]]]


@dataclass(frozen=True)
class DocSpec:
    doc_type: str
    title: str | Callable[[Values], str]
    fields: tuple[Field, ...]
    body: Body
    addressee: str | None = None  # field whose value (or list, joined by 、) is the 主送 line
    attachments: str | None = None  # lines field listed as 附件
    copy_to: str | None = None  # lines field printed as 抄送 in the imprint
    copy_label: str = "抄送"
    urgency: Callable[[Values], str] | None = None  # 紧急程度 mark ("特急", "加急") or ""
    seal: bool = True
    signature_notes: Callable[[Values], list[str]] = field(default=lambda v: [])
    check: Check | None = None

    def field_names(self) -> set[str]:
        return {f.name for f in self.fields}

    def required_labels(self) -> list[str]:
        return [f.label for f in self.fields if f.required]


def required_message(label: str) -> str:
    return f"请填写{label}"


def _clean_value(f: Field, value: Any) -> tuple[Any, str | None]:
    """(clean value, error message or None); the clean value is JSON-able."""
    if f.kind == "lines":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return None, f"{f.label}应为文字列表"
        items = [v.strip() for v in value if v.strip()]
        if len(items) > MAX_LINES:
            return None, f"{f.label}最多{MAX_LINES}项"
        if any(len(v) > f.max_length for v in items):
            return None, f"{f.label}每项不超过{f.max_length}字"
        return items, None
    if f.kind == "date":
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value.isoformat(), None
        try:
            return date.fromisoformat(str(value).strip()).isoformat(), None
        except ValueError:
            return None, f"{f.label}应为日期，如2025-10-08"
    if f.kind == "datetime":
        if not isinstance(value, datetime):
            try:
                value = datetime.fromisoformat(str(value).strip())
            except ValueError:
                return None, f"{f.label}应为日期时间，如2025-10-08T09:30"
        if value.tzinfo is None:
            value = value.replace(tzinfo=SHANGHAI)
        return value.astimezone(SHANGHAI).isoformat(timespec="minutes"), None
    if not isinstance(value, str):
        return None, f"{f.label}应为文字"
    text = value.strip()
    if f.kind == "choice" and text not in dict(f.choices):
        allowed = "、".join(label for _, label in f.choices)
        return None, f"{f.label}须为以下之一：{allowed}"
    if len(text) > f.max_length:
        return None, f"{f.label}不超过{f.max_length}字"
    return text, None


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(isinstance(v, str) and not v.strip() for v in value)
    return False


def validate(spec: DocSpec, data: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned data, or ValidationFailed listing every missing or malformed field (Chinese)."""
    if not isinstance(data, Mapping):
        raise ValidationFailed("文书数据应为键值对象")
    known = spec.field_names()
    errors: dict[str, list[str]] = {}
    for name in sorted(set(data) - known):
        errors[str(name)] = ["不允许的字段"]
    missing: list[str] = []
    clean: dict[str, Any] = {}
    for f in spec.fields:
        value = data.get(f.name)
        if _blank(value):
            if f.required:
                missing.append(f.label)
                errors[f.name] = [required_message(f.label)]
            continue
        cleaned, problem = _clean_value(f, value)
        if problem:
            errors[f.name] = [problem]
        else:
            clean[f.name] = cleaned
    if not errors and spec.check is not None:
        errors.update(spec.check(Values(spec, clean)))
        labels = {f.name: f.label for f in spec.fields}
        missing += [
            labels[k] for k, msgs in errors.items() if k in labels and required_message(labels[k]) in msgs
        ]
    if errors:
        if missing:
            message = f"文书内容不完整，缺少：{'、'.join(missing)}"
        else:
            message = "文书内容有误：" + "；".join(m for msgs in errors.values() for m in msgs)
        raise ValidationFailed(message, details=errors)
    return clean


def build_layout(spec: DocSpec, data: Mapping[str, Any], ctx: Context) -> Layout:
    values = Values(spec, data)
    title = spec.title(values) if callable(spec.title) else spec.title
    addressee = ""
    if spec.addressee:
        f = next(f for f in spec.fields if f.name == spec.addressee)
        addressee = "、".join(values.lines(f.name)) if f.kind == "lines" else values[f.name]
        addressee += "："
    urgency = spec.urgency(values) if spec.urgency else ""
    return Layout(
        header=ctx.issuer,
        number=ctx.number,
        title=title,
        addressee=addressee,
        blocks=tuple(spec.body(values, ctx)),
        attachments=tuple(values.lines(spec.attachments)) if spec.attachments else (),
        signer=ctx.issuer,
        signed_on=ctx.issued_on,
        urgency=urgency,
        seal=spec.seal,
        signature_notes=tuple(spec.signature_notes(values)),
        copy_to=tuple(values.lines(spec.copy_to)) if spec.copy_to else (),
        copy_label=spec.copy_label,
    )
