"""Pages for one's own API tokens: list, issue (the raw token shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezhi.accounts import tokens
from xiezhi.accounts.models import ApiTokenScope
from xiezhi.accounts.selectors import tokens_of
from xiezhi.accounts.webutils import actor_of, no_store, pages
from xiezhi.core.errors import ValidationFailed
from xiezhi.core.pagination import paginate


def _days(raw: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


@login_required
@pages
def tokens_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    errors: dict[str, list[str]] = {}
    form = {"name": "", "scope": ApiTokenScope.READ.value, "expires_in_days": str(tokens.DEFAULT_DAYS)}
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip() for key in form}
        try:
            token, raw = tokens.issue_token(
                actor, name=form["name"], scope=form["scope"], expires_in_days=_days(form["expires_in_days"])
            )
        except ValidationFailed as exc:
            errors = exc.details
        else:
            return no_store(
                render(request, "accounts/token_created.html", {"token": token, "raw": raw}, status=201)
            )
    page = paginate(tokens_of(actor), request.GET.get("page"), request.GET.get("page_size") or 20)
    context = {
        "page": page,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "form": form,
        "scopes": ApiTokenScope.choices,
        "max_days": tokens.MAX_DAYS,
    }
    return render(request, "accounts/tokens.html", context, status=422 if errors else 200)


@require_POST
@login_required
@pages
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = tokens.revoke_token(actor_of(request), pk)
    messages.success(request, f"令牌“{token.name}”已撤销")
    return redirect("accounts:tokens")
