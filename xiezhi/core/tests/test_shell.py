from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import PASSWORD, Personas


@pytest.mark.django_db
def test_login_page_is_chinese_and_has_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_home_requires_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_sign_in_is_audited_and_the_same_message_for_unknown_names(client: Client, personas: Personas) -> None:
    wrong = client.post("/accounts/login/", {"username": "t_handler", "password": "wrong-Pass1"})
    unknown = client.post("/accounts/login/", {"username": "nobody-here", "password": "wrong-Pass1"})
    assert "用户名或密码错误" in wrong.content.decode()
    assert "用户名或密码错误" in unknown.content.decode()
    ok = client.post("/accounts/login/", {"username": "t_handler", "password": PASSWORD})
    assert ok.status_code == 302
    actions = list(AuditEvent.objects.values_list("action", "success"))
    assert actions == [("account.login", False), ("account.login", False), ("account.login", True)]


def test_api_errors_use_the_envelope(client: Client, personas: Personas) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 200
    unauth = client.get("/api/v1/units/")
    assert unauth.status_code == 401
    assert set(unauth.json()) == {"code", "message", "details"}
    client.force_login(personas.township_handler.account)
    missing = client.get("/api/v1/units/999999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert "不存在或您无权访问" in missing.json()["message"]


@pytest.mark.django_db
def test_api_docs_page_uses_only_vendored_assets(client: Client, personas: Personas) -> None:
    client.force_login(personas.township_handler.account)
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_production_settings_pass_the_deploy_check() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xiezhi.config.production",
        "XIEZHI_SECRET_KEY": "k" * 20 + secrets.token_urlsafe(50),
        "XIEZHI_ALLOWED_HOSTS": "xiezhi.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_rules_coverage_maps_every_rule_id_to_the_tests_carrying_its_marker() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django", "rules-coverage", "--json"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "xiezhi.config.settings"},
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr
    mapping = json.loads(result.stdout)
    rules_text = (Path(__file__).resolve().parents[3] / "docs" / "RULES.md").read_text(encoding="utf-8")
    assert set(mapping) == set(re.findall(r"\*\*(R-[A-Z]+-\d+)\*\*", rules_text))
    assert "xiezhi/rulebook/tests/test_deadlines.py" in " ".join(mapping["R-TR-02"])
    assert all(isinstance(nodes, list) for nodes in mapping.values())


def test_the_menu_is_grouped_under_one_heading_per_group(personas: Personas) -> None:
    from xiezhi.core import navigation

    items = navigation.items_for(personas.actor("township_handler"), "/meetings/")
    headings = [item["heading"] for item in items if item["heading"]]
    assert headings == list(dict.fromkeys(item["group"] for item in items))  # each group named once, in order
    assert headings[:3] == ["日常办理", "案件移送", "协作联动"]
    linkage = [item["label"] for item in items if item["group"] == "协作联动"]
    assert {"执法争议", "会商会议", "信息共享", "行刑衔接"} <= set(linkage)
    assert [item["label"] for item in items if item["active"]] == ["会商会议"]
