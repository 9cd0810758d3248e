"""Per-request actor, and the account policies that apply to every signed-in page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from xiezhi.accounts.actors import actor_for, client_ip
from xiezhi.accounts.policy import Step, pending_step

# Not pages: the API applies the same policy itself (403 with a code, see policy.require_ready_for_api).
_OPEN_PREFIXES = ("/static/", "/api/", "/public/", "/healthz")
_ALWAYS_OPEN = frozenset({"login", "logout"})
# The pages each pending step may still reach (url names in the "accounts" namespace).
_STEP_OPEN: dict[Step, frozenset[str]] = {
    Step.OTP_VERIFY: frozenset({"otp"}),
    Step.PASSWORD: frozenset({"password_change"}),
    Step.OTP_ENROL: frozenset({"otp", "otp_qr"}),
}
_STEP_URL = {
    Step.OTP_VERIFY: "accounts:otp",
    Step.PASSWORD: "accounts:password_change",
    Step.OTP_ENROL: "accounts:otp",
}


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = actor_for(getattr(request, "user", None), client_ip(request))  # type: ignore[attr-defined]
        return self.get_response(request)


def _allowed_while(step: Step, path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.namespace == "accounts" and (
        match.url_name in _ALWAYS_OPEN or match.url_name in _STEP_OPEN[step]
    )


class AccountPolicyMiddleware:
    """Sends a signed-in session to its pending step (second factor, password change, enrolment)
    before anything else; see `policy.pending_step`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            step = pending_step(user)
            if step is not None and not _allowed_while(step, request.path_info):
                target = reverse(_STEP_URL[step])
                back = request.get_full_path()
                if request.method == "GET" and not request.headers.get("HX-Request") and back != "/":
                    target = f"{target}?{urlencode({'next': back})}"
                response = HttpResponseRedirect(target)
                if request.headers.get("HX-Request"):
                    response["HX-Redirect"] = target
                return response
        return self.get_response(request)
