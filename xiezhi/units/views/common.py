"""Shared page plumbing: the actor, turning XiezhiError into a Chinese page, forms and filters."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from xiezhi.core.actor import Actor
from xiezhi.core.errors import XiezhiError
from xiezhi.core.pagination import Page, paginate

View = Callable[..., HttpResponse]


def get_actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


def page_view(func: View) -> View:
    """Signed-in pages; a XiezhiError becomes an error page with its Chinese message and status."""

    @functools.wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return func(request, *args, **kwargs)
        except XiezhiError as exc:
            return render(request, "units/error.html", {"error": exc}, status=exc.status)

    return login_required(wrapper)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text | textarea | select | checkbox | date | time
    required: bool = False
    choices: Sequence[tuple[Any, str]] = ()
    help: str = ""
    max_length: int | None = None


def bind(
    fields: Sequence[FieldSpec], values: Mapping[str, Any], errors: Mapping[str, list[str]]
) -> list[dict[str, Any]]:
    """What the field template needs: the spec, the current value as text and its errors."""
    bound = []
    for f in fields:
        value = values.get(f.name)
        if isinstance(value, date):
            text = value.isoformat()
        elif f.kind == "time" and value is not None and hasattr(value, "strftime"):
            text = value.strftime("%H:%M")
        else:
            text = "" if value is None else str(value)
        bound.append(
            {
                "spec": f,
                "id": f"id_{f.name}",
                "value": text,
                "checked": value in (True, "1", "on", "true"),
                "choices": [(str(k), label) for k, label in f.choices],
                "errors": errors.get(f.name, []),
            }
        )
    return bound


def form_data(post: QueryDict, fields: Sequence[FieldSpec]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in fields:
        if f.kind == "checkbox":
            data[f.name] = f.name in post
        else:
            data[f.name] = post.get(f.name, "")
    return data


def flag(params: QueryDict, name: str) -> bool | None:
    raw = params.get(name, "")
    return True if raw == "1" else False if raw == "0" else None


def int_param(params: QueryDict, name: str) -> int | None:
    raw = params.get(name, "").strip()
    return int(raw) if raw.isdigit() else None


def date_param(params: QueryDict, name: str) -> tuple[date | None, str]:
    raw = params.get(name, "").strip()
    if not raw:
        return None, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return None, "日期格式有误，应为“2025-10-08”这样的日期"


def paged(request: HttpRequest, qs: Any) -> Page[Any]:
    return paginate(qs, request.GET.get("page") or 1, request.GET.get("page_size") or 20)


def filters_of(params: QueryDict, names: Sequence[str]) -> dict[str, str]:
    return {n: params.get(n, "") for n in names if params.get(n)}
