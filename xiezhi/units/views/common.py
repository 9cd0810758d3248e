"""Shared page plumbing: the actor, turning XiezhiError into a Chinese page, forms and filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from xiezhi.core.errors import ValidationFailed
from xiezhi.core.pagination import Page, paginate
from xiezhi.core.web import date_param as date_param
from xiezhi.core.web import int_param as int_param
from xiezhi.core.web import page_view_with, request_actor

get_actor = request_actor
page_view = page_view_with(back_url="units:unit_list", back_label="返回单位列表")


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


def paged(request: HttpRequest, qs: Any) -> Page[Any]:
    return paginate(qs, request.GET.get("page") or 1, request.GET.get("page_size") or 20)


def filters_of(params: QueryDict, names: Sequence[str]) -> dict[str, str]:
    return {n: params.get(n, "") for n in names if params.get(n)}


def edit_form(
    request: HttpRequest,
    *,
    fields: Sequence[FieldSpec],
    initial: Mapping[str, Any],
    save: Callable[[dict[str, Any]], Any],
    saved_message: str,
    success_url: Callable[[Any], str],
    template: str,
    context: Mapping[str, Any],
) -> HttpResponse:
    """The create/edit page every directory form shares: show, validate through the service, redirect.

    A refused save shows the service's Chinese message and field errors with what was typed (422),
    so nothing the user entered is lost.
    """
    values: Mapping[str, Any] = initial
    errors: Mapping[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        data = form_data(request.POST, fields)
        try:
            saved = save(data)
        except ValidationFailed as exc:
            values, errors, status = data, exc.details, 422
            messages.error(request, exc.message)
        else:
            messages.success(request, saved_message)
            return redirect(success_url(saved))
    page = {**context, "fields": bind(fields, values, errors)}
    return render(request, template, page, status=status)
