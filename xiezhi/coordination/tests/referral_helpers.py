"""Test data for criminal referrals: the personas' county plus police, procuratorate and court, and
certified officers of the township (310号 art. 5 needs a case team of two)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xiezhi.coordination.models import Referral
from xiezhi.coordination.referrals import services
from xiezhi.core.actor import Actor
from xiezhi.testing.factories import Personas, actor_of, make_certificate, make_person, make_unit
from xiezhi.units.models import Person, Unit, UnitKind

MATERIALS = {
    "investigation_report": "涉嫌犯罪案件调查报告1份（12页）",
    "item_list": "涉案物品清单1份",
    "inspection_report": "检验报告1份",
    "other": "现场检查笔录、询问笔录各1份",
}


@dataclass
class CrWorld:
    p: Personas
    police: Unit
    other_police: Unit
    procuratorate: Unit
    court: Unit
    officer1: Person
    officer2: Person
    assistant: Person
    police_officer: Person
    other_police_officer: Person
    prosecutor: Person
    judge: Person
    bureau_handler: Person

    def actor(self, who: str) -> Actor:
        obj = getattr(self, who, None)
        if isinstance(obj, Person):
            return actor_of(obj)
        return self.p.actor(who)


def build_cr_world(p: Personas) -> CrWorld:
    county = p.county
    police = make_unit("示例县公安局", UnitKind.POLICE, county, parent=p.government, code="PSB")
    other_police = make_unit("示例县森林公安局", UnitKind.POLICE, county, parent=p.government, code="PSB2")
    proc = make_unit("示例县人民检察院", UnitKind.PROCURATORATE, county, code="PROC")
    court = make_unit("示例县人民法院", UnitKind.COURT, county, code="COURT")
    officer1 = make_person(p.township, "陈执法", ("handler",), username="t_officer1")
    officer2 = make_person(p.township, "林执法", ("handler",), username="t_officer2")
    make_certificate(officer1)
    make_certificate(officer2)
    make_certificate(p.township_handler)
    assistant = make_person(p.township, "何协管", (), username="t_assistant")
    return CrWorld(
        p=p,
        police=police,
        other_police=other_police,
        procuratorate=proc,
        court=court,
        officer1=officer1,
        officer2=officer2,
        assistant=assistant,
        police_officer=make_person(police, "郭民警", ("handler",), username="ga_police"),
        other_police_officer=make_person(other_police, "罗民警", ("handler", "leader"), username="ga_other"),
        prosecutor=make_person(proc, "黄检察官", ("handler",), username="jcy_proc"),
        judge=make_person(court, "谢法官", ("observer",), username="fy_court"),
        bureau_handler=make_person(p.justice_bureau, "冯科长", ("handler",), username="jb_handler"),
    )


def report_data(w: CrWorld, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "party": "某化工有限公司",
        "offence": "污染环境罪",
        "facts": "该公司通过暗管向河道排放含重金属废水，经检测超标10倍以上。",
        "report": "经调查，该案涉嫌污染环境罪，达到刑事追诉标准，建议移送公安机关。",
        "police": w.police.pk,
        "team": [w.officer1.pk, w.officer2.pk],
    }
    data.update(extra)
    return data


def reported(w: CrWorld, **extra: Any) -> Referral:
    return services.report_suspicion(w.actor("officer1"), report_data(w, **extra))


def approved(w: CrWorld) -> Referral:
    r = reported(w)
    return services.decide(w.p.actor("township_leader"), r, {"approve": True, "note": "同意移送"})


def transferred(w: CrWorld) -> Referral:
    r = approved(w)
    return services.transfer(w.actor("officer1"), r, {"materials": MATERIALS})


def received(w: CrWorld) -> Referral:
    r = transferred(w)
    return services.receive(w.actor("police_officer"), r, {})


def declined(w: CrWorld) -> Referral:
    r = received(w)
    return services.police_decide(w.actor("police_officer"), r, {"file": False, "reasons": "未达到追诉标准"})
