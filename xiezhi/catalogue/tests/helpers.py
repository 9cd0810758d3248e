"""Catalogue test data built on the personas' county: townships 城关镇 (T01) and 河西镇 (T02),
department 示例县城市管理局 (D01), plus a market-supervision department, a county-government
leader (the approver) and a justice-bureau handler (a catalogue manager).

Version 1, in force from 2025-01-01:
- DEMO-SR-001 (城管局): granted to 城关镇, retained in 河西镇
- DEMO-ZS-001 (城管局): entrusted to 河西镇 by letter WT-2025-01 (2025-01-01 … today + 400 days), retained in 城关镇
- DEMO-SP-001 (市场监管局, 食品药品安全): retained in both
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from xiezhi.accounts.models import ApiToken, User
from xiezhi.accounts.testing import sign_in
from xiezhi.catalogue import versions
from xiezhi.catalogue.models import CatalogueVersion, Devolution, Entrustment, Matter, VersionMatter
from xiezhi.core.actor import Actor
from xiezhi.testing.factories import Personas, actor_of, make_person, make_unit
from xiezhi.units.models import Person, Unit, UnitKind

V1_FROM = date(2025, 1, 1)


@dataclass
class Cat:
    p: Personas
    market: Unit
    gov_leader: Person
    manager: Person
    market_liaison: Person
    city: Matter
    noise: Matter
    food: Matter
    letter: Entrustment
    v1: CatalogueVersion

    def actor(self, who: str) -> Actor:
        obj = getattr(self, who, None)
        if isinstance(obj, Person):
            return actor_of(obj)
        return self.p.actor(who)

    def person(self, who: str) -> Person | User:
        obj = getattr(self, who, None)
        return obj if isinstance(obj, Person) else getattr(self.p, who)

    @property
    def town(self) -> Unit:
        return self.p.township

    @property
    def other(self) -> Unit:
        return self.p.other_township

    @property
    def dept(self) -> Unit:
        return self.p.department


def make_matter(county_id: int, code: str, dept: Unit, **extra: Any) -> Matter:
    defaults: dict[str, Any] = {
        "name": f"对{code}违法行为的处罚",
        "field": "市容环境卫生",
        "legal_basis_violation": "《城市市容和环境卫生管理条例》第三十二条",
        "legal_basis_penalty": "《城市市容和环境卫生管理条例》第三十四条第（一）项",
        "penalty": "责令纠正违法行为、采取补救措施，可以并处警告、罚款",
    }
    defaults.update(extra)
    return Matter.objects.create(county_id=county_id, code=code, department=dept, **defaults)


def build_version(
    county_id: int,
    number: int,
    effective_from: date,
    modes: dict[tuple[Matter, Unit], tuple[str, Entrustment | None]],
) -> CatalogueVersion:
    version = CatalogueVersion.objects.create(
        county_id=county_id,
        number=number,
        effective_from=effective_from,
        decision_document="示政发〔2024〕1号",
    )
    for matter in {m for m, _ in modes}:
        VersionMatter.objects.create(version=version, matter=matter, **matter.content())
    for (matter, town), (mode, letter) in modes.items():
        Devolution.objects.create(
            version=version, matter=matter, township=town, mode=mode, entrustment=letter
        )
    return version


def build_cat(personas: Personas) -> Cat:
    p = personas
    county_id = p.county.pk
    market = make_unit(
        "示例县市场监督管理局", UnitKind.DEPARTMENT, p.county, parent=p.government, code="D02",
        is_enforcement_subject=True, subject_legal_basis="《食品安全法》", subject_review_date=timezone.localdate(),
    )  # fmt: skip
    gov_leader = make_person(p.government, "郑县长", ("leader",), username="g_leader")
    manager = make_person(p.justice_bureau, "冯科长", ("handler",), username="jb_handler")
    market_liaison = make_person(market, "陈联络", ("liaison",), username="m_liaison")
    city = make_matter(county_id, "DEMO-SR-001", p.department, name="对随地吐痰、便溺的处罚")
    noise = make_matter(
        county_id, "DEMO-ZS-001", p.department, name="对社会生活噪声污染的处罚", field="生态环境（噪声）",
        major_category="生态环境", legal_basis_violation="《噪声污染防治法》第六十四条",
        legal_basis_penalty="《噪声污染防治法》第八十二条",
    )  # fmt: skip
    food = make_matter(
        county_id, "DEMO-SP-001", market, name="对生产经营不符合食品安全标准食品的处罚", field="市场监管（食品安全）",
        major_category="食品药品安全", legal_basis_violation="《食品安全法》第三十四条",
        legal_basis_penalty="《食品安全法》第一百二十四条", min_fine=50000, max_fine=200000,
    )  # fmt: skip
    letter = Entrustment.objects.create(
        county_id=county_id, number="WT-2025-01", department=p.department, township=p.other_township,
        authority="实施检查、作出处罚决定", valid_from=V1_FROM, valid_to=future(400),
        responsibility="委托机关对受托乡镇的执法行为承担法律责任",
    )  # fmt: skip
    letter.matters.set([noise])
    town, other = p.township, p.other_township
    v1 = build_version(
        county_id, 1, V1_FROM,
        {
            (city, town): ("granted", None), (city, other): ("retained", None),
            (noise, town): ("retained", None), (noise, other): ("entrusted", letter),
            (food, town): ("retained", None), (food, other): ("retained", None),
        },
    )  # fmt: skip
    versions.publish(None, v1, check_retroactive=False)
    v1.refresh_from_db()
    return Cat(p, market, gov_leader, manager, market_liaison, city, noise, food, letter, v1)


def bearer(user: User, scope: str = "write") -> Client:
    raw = "xz_" + secrets.token_urlsafe(24)
    ApiToken.objects.create(
        user=user, name="测试令牌", prefix=raw[3:11], token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        scope=scope, expires_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    return Client(headers={"Authorization": f"Bearer {raw}"})


def api_client(cat: Cat, who: str) -> Client:
    obj = cat.person(who)
    user = obj if isinstance(obj, User) else obj.account
    return bearer(user)


def page_client(cat: Cat, who: str) -> Client:
    obj = cat.person(who)
    return sign_in(Client(), obj)


def future(days: int = 30) -> date:
    return timezone.localdate() + timedelta(days=days)
