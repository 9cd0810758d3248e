"""Test data for transfers and disputes, built on the personas' county.

Catalogue version 1 (in force from 2025-01-01), all matters owned by 示例县城市管理局 (D01):
- PLAN  DEMO-GH-001 对未按规划许可建设的处罚 — retained in both townships: the department is competent
- CITY  DEMO-SR-001 对随地吐痰、便溺的处罚 — granted to 城关镇: the department may no longer penalise there
- NOISE DEMO-ZS-001 对社会生活噪声污染的处罚 (生态环境) — retained: immediate transfer (R-TR-04)
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from xiezhi.accounts.models import ApiToken, User
from xiezhi.accounts.testing import sign_in
from xiezhi.catalogue import versions
from xiezhi.catalogue.models import CatalogueVersion, Devolution, Matter, VersionMatter
from xiezhi.catalogue.snapshot import clear_cache
from xiezhi.core.actor import Actor
from xiezhi.intake import services as intake
from xiezhi.intake.models import Report
from xiezhi.intake.tests.conftest import report_data
from xiezhi.testing.factories import Personas, actor_of, make_person
from xiezhi.transfers import services
from xiezhi.transfers.models import Transfer
from xiezhi.units.models import Person, Unit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class World:
    p: Personas
    plan: Matter
    city: Matter
    noise: Matter
    bureau_handler: Person
    gov_leader: Person

    def actor(self, who: str) -> Actor:
        obj = getattr(self, who, None)
        if isinstance(obj, Person):
            return actor_of(obj)
        return self.p.actor(who)

    def user(self, who: str) -> User:
        obj = getattr(self, who, None)
        if not isinstance(obj, Person):
            obj = getattr(self.p, who)
        return obj if isinstance(obj, User) else obj.account

    @property
    def town(self) -> Unit:
        return self.p.township

    @property
    def dept(self) -> Unit:
        return self.p.department


def _matter(county_id: int, code: str, dept: Unit, name: str, category: str = "none") -> Matter:
    return Matter.objects.create(
        county_id=county_id, code=code, department=dept, name=name, field="城市管理",
        legal_basis_violation=f"《示例条例》第{len(code)}条", legal_basis_penalty="《示例条例》第九条",
        penalty="责令改正，可以处罚款", major_category=category,
    )  # fmt: skip


def build_world(p: Personas) -> World:
    clear_cache()
    county_id = p.county.pk
    plan = _matter(county_id, "DEMO-GH-001", p.department, "对未按规划许可建设的处罚")
    city = _matter(county_id, "DEMO-SR-001", p.department, "对随地吐痰、便溺的处罚")
    noise = _matter(county_id, "DEMO-ZS-001", p.department, "对社会生活噪声污染的处罚", "生态环境")
    version = CatalogueVersion.objects.create(
        county_id=county_id, number=1, effective_from=date(2025, 1, 1), decision_document="示政发〔2024〕1号"
    )
    for m in (plan, city, noise):
        VersionMatter.objects.create(version=version, matter=m, **m.content())
        for town in (p.township, p.other_township):
            mode = "granted" if (m is city and town == p.township) else "retained"
            Devolution.objects.create(version=version, matter=m, township=town, mode=mode)
    versions.publish(None, version, check_retroactive=False)
    bureau_handler = make_person(p.justice_bureau, "冯科长", ("handler",), username="jb_handler")
    gov_leader = make_person(p.government, "郑县长", ("leader",), username="g_leader")
    return World(p, plan, city, noise, bureau_handler, gov_leader)


def draft_data(w: World, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "receiver": w.dept.pk,
        "matter": w.plan.pk,
        "party": "王某某",
        "location": "城关镇解放路18号",
        "facts": "当事人在自家院内搭建约30平方米彩钢板房，现场已拍照取证。",
        "discovered_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "urgency": "normal",
    }
    data.update(extra)
    return data


def make_draft(w: World, who: str = "township_handler", *, materials: bool = True, **extra: Any) -> Transfer:
    actor = w.actor(who)
    t = services.create_transfer(actor, draft_data(w, **extra))
    if materials:
        services.add_material(
            actor, t, kind="inspection_record", title="现场检查笔录", name="笔录.pdf", content=PDF
        )
        services.add_material(actor, t, kind="evidence", title="现场照片", name="照片.png", content=PNG)
    return t


def make_sent(w: World, **extra: Any) -> Transfer:
    t = make_draft(w, **extra)
    services.submit(w.actor("township_handler"), t)
    services.approve(w.actor("township_leader"), t)
    t.refresh_from_db()
    return t


def handed_on_report(w: World) -> tuple[Report, Transfer]:
    """A report the township accepted (its reply clock runs), then handed on as a sent transfer."""
    town = w.actor("township_handler")
    report = intake.create_report(town, report_data(w.town), [("现场.png", PNG)])
    intake.accept(town, report)
    intake.dispatch(town, report, w.plan.code, w.plan.name)
    intake.hand_on(town, report, w.dept.pk, "属规划许可保留事项", party="王某某")
    report.refresh_from_db()
    assert report.transfer_id is not None
    t = Transfer.objects.get(pk=report.transfer_id)
    services.add_material(town, t, kind="evidence", title="现场照片", name="照片.pdf", content=PDF)
    services.submit(town, t)
    services.approve(w.actor("township_leader"), t)
    t.refresh_from_db()
    assert t.status == "sent"
    return report, t


def bearer(user: User) -> Client:
    raw = "xz_" + secrets.token_urlsafe(24)
    ApiToken.objects.create(
        user=user, name="测试令牌", prefix=raw[3:11], token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        scope="write", expires_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    return Client(headers={"Authorization": f"Bearer {raw}"})


def api(w: World, who: str) -> Client:
    return bearer(w.user(who))


def page(w: World, who: str) -> Client:
    return sign_in(Client(), w.user(who))


def iso(dt: datetime) -> str:
    return dt.isoformat()
