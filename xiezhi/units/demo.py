"""The demo county 示例县 (issue 3 §8): units, sections, people, roles, certificates and accounts.

Everything here is fictional: the county code 339999 is not a real division, the people are named
with a surname plus a 天干 character (王甲, 李乙 …), and phones are in the 139-0000 block.
Idempotent: rows are looked up by natural keys (unit code, username, unit + name, certificate
number) and only created when missing; an existing row is never modified, except that an account
created without a password gets the demo password when demo mode is switched on later.

Sign-in names: ``<unit>_<role>``, e.g. ``cgz_leader`` (城关镇负责人), ``cgzsfs_supervisor``
(城关镇司法所), ``cgj_handler`` (城市管理局), ``zhzx_dispatcher`` (指挥中心); the administrators
are ``sysadmin``, ``secadmin`` and ``auditadmin``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from xiezhi.rulebook.identifiers import credit_code_check_char, organisation_code_check_char
from xiezhi.units.models import (
    Certificate,
    CertificateStatus,
    County,
    Person,
    RoleAssignment,
    Section,
    Unit,
    UnitKind,
)

# One documented demo password (meets the policy: 8+ characters, 3 of 4 classes). Only ever set
# when settings.DEMO (XIEZHI_DEMO=1) is on.
DEMO_PASSWORD = "Xiezhi@2025"
COUNTY_CODE = "339999"
COUNTY_NAME = "示例县"
ISSUER = "示例县人民政府"
TOWNSHIP_BASIS = "《示例省人民政府关于赋予乡镇（街道）部分县级行政执法权的决定》（示政发〔2024〕1号）"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
STEMS = "甲乙丙丁戊己庚辛壬癸"


@dataclass
class DemoContext:
    """Shared by every demo loader (units first, then catalogue, intake … as later issues add them)."""

    demo: bool
    write: Callable[[str], None]
    today: date = field(default_factory=timezone.localdate)
    created: Counter[str] = field(default_factory=Counter)
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (username, description)
    notes: list[str] = field(default_factory=list)
    _password_hash: str | None = None

    def password_hash(self) -> str:
        # Hashing is slow on purpose; one hash serves every demo account so a first run stays quick.
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash


# --- the county's shape -------------------------------------------------------------------------

# (slug, name, post of the head) — 城关镇 is the county seat.
TOWNSHIPS = [
    ("cgz", "城关镇", "镇长"),
    ("hxz", "河西镇", "镇长"),
    ("dsx", "东山乡", "乡长"),
    ("nhjd", "南湖街道", "街道办事处主任"),
    ("bcjd", "北城街道", "街道办事处主任"),
    ("qsz", "青石镇", "镇长"),
    ("bsz", "白沙镇", "镇长"),
    ("lxx", "柳溪乡", "乡长"),
    ("lqz", "龙泉镇", "镇长"),
    ("slx", "松岭乡", "乡长"),
    ("tyz", "桃源镇", "镇长"),
]

# (slug, name, enforcement field)
DEPARTMENTS = [
    ("cgj", "示例县城市管理局", "城市管理"),
    ("scj", "示例县市场监督管理局", "市场监管"),
    ("sthj", "示例县生态环境分局", "生态环境"),
    ("zrj", "示例县自然资源和规划局", "自然资源"),
    ("zjj", "示例县住房和城乡建设局", "住房城乡建设"),
    ("nyj", "示例县农业农村局", "农业农村"),
    ("yjj", "示例县应急管理局", "应急管理"),
    ("jtj", "示例县交通运输局", "交通运输"),
    ("lyj", "示例县林业局", "林业"),
    ("wgl", "示例县文化广电和旅游局", "文化旅游"),
    ("wjj", "示例县卫生健康局", "卫生健康"),
    ("mzj", "示例县民政局", "民政"),
    ("slj", "示例县水利局", "水利"),
    ("xfjy", "示例县消防救援大队", "消防"),
]

# The one unit deliberately left without a liaison, so the gap page has something to show (R-CO-06).
NO_LIAISON = "mzj"
# Enforcement subjects whose yearly review is overdue (R-CAT-07).
REVIEW_OVERDUE = {"slx", "lyj"}
# A unit whose credit code fails the GB 32100 check and was saved with a recorded reason (LAW.md 59).
CREDIT_OVERRIDE = "lyj"

SECTIONS = {
    "cgz": ["综合行政执法队", "党政办公室"],
    "nhjd": ["综合行政执法队"],
    "cgj": ["法制科", "城关执法中队"],
    "scj": ["法规科", "城关市场监管所"],
    "sfj": ["行政执法监督科"],
    "zhzx": ["指挥调度科"],
}

# Certificates that show the flags: (username, days from today to valid_to, status).
CERTIFICATE_VARIANTS: dict[str, tuple[int, str]] = {
    "cgz_handler2": (12, CertificateStatus.VALID),  # expires within 30 days
    "scj_handler2": (25, CertificateStatus.VALID),  # expires within 30 days
    "dsx_handler2": (-20, CertificateStatus.VALID),  # expired
    "lyj_handler": (-100, CertificateStatus.VALID),  # expired
    "bsz_handler2": (400, CertificateStatus.SUSPENDED),
}


def credit_code(serial: int, *, broken: bool = False) -> str:
    """A well-formed code for a fictional government organ (1 机构编制, 1 机关) in division 339999."""
    org8 = f"MB{serial:06d}"
    first17 = f"11{COUNTY_CODE}{org8}{organisation_code_check_char(org8)}"
    check = credit_code_check_char(first17)
    if broken:  # any other character fails the check
        check = "1" if check != "1" else "2"
    return first17 + check


class _Names:
    """Deterministic fictional names: the i-th person of the spec always gets the same name."""

    def __init__(self) -> None:
        self.i = 0

    def next(self) -> tuple[str, str]:
        i = self.i
        self.i += 1
        name = SURNAMES[i % len(SURNAMES)] + STEMS[(i // len(SURNAMES)) % len(STEMS)]
        if i >= len(SURNAMES) * len(STEMS):
            name += str(i // (len(SURNAMES) * len(STEMS)) + 1)
        return name, f"1390000{i:04d}"


# --- loading ------------------------------------------------------------------------------------


def _unit(
    ctx: DemoContext, county: County, code: str, name: str, kind: str, parent: Unit | None, **extra: Any
) -> Unit:
    unit, created = Unit.objects.get_or_create(
        code=f"{COUNTY_CODE}-{code}",
        defaults={"county": county, "name": name, "kind": kind, "parent": parent, **extra},
    )
    ctx.created["units"] += created
    return unit


def _subject(ctx: DemoContext, basis: str, overdue: bool) -> dict[str, Any]:
    review = ctx.today - timedelta(days=400 if overdue else 75)
    return {"is_enforcement_subject": True, "subject_legal_basis": basis, "subject_review_date": review}


def _account(
    ctx: DemoContext, username: str, description: str, person: Person | None = None, admin_role: str = ""
) -> None:
    from xiezhi.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username, person=person, admin_role=admin_role, password_changed_at=timezone.now()
        )
        if ctx.demo:
            user.password = ctx.password_hash()
            user.must_change_password = False
        else:
            user.set_unusable_password()
            user.must_change_password = True
        user.save()
        ctx.created["accounts"] += 1
    elif ctx.demo and not user.has_usable_password():
        user.password = ctx.password_hash()
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        ctx.created["passwords"] += 1
    ctx.accounts.append((username, description))


def _person(
    ctx: DemoContext,
    names: _Names,
    unit: Unit,
    post: str,
    roles: tuple[str, ...],
    username: str | None,
    section: str | None = None,
) -> Person:
    name, phone = names.next()
    person = Person.objects.filter(unit=unit, name=name).first()
    if person is None:
        sec = Section.objects.filter(unit=unit, name=section).first() if section else None
        person = Person.objects.create(unit=unit, name=name, post=post, phone=phone, section=sec)
        ctx.created["people"] += 1
    for role in roles:
        _, created = RoleAssignment.objects.get_or_create(person=person, role=role)
        ctx.created["roles"] += created
    if username:
        role_names = "、".join(RoleAssignment(role=r).get_role_display() for r in roles) or post
        _account(ctx, username, f"{unit.name} {name}（{role_names}）", person)
    return person


def _certificate(ctx: DemoContext, person: Person, serial: int, fields: str, username: str) -> None:
    number = f"{COUNTY_CODE}-{serial:05d}"
    if Certificate.objects.filter(number=number).exists():
        return
    days, status = CERTIFICATE_VARIANTS.get(username, (900 + serial % 200, CertificateStatus.VALID))
    valid_to = ctx.today + timedelta(days=days)
    valid_from = min(valid_to, ctx.today) - timedelta(days=3 * 365)
    review = max(valid_from, min(valid_to, ctx.today) - timedelta(days=90))
    Certificate.objects.create(
        number=number, holder=person, issuing_authority=ISSUER, fields=fields, valid_from=valid_from,
        valid_to=valid_to, status=status, last_review_date=review,
    )  # fmt: skip
    ctx.created["certificates"] += 1


def _sections(ctx: DemoContext, unit: Unit, slug: str) -> None:
    for name in SECTIONS.get(slug, []):
        _, created = Section.objects.get_or_create(unit=unit, name=name)
        ctx.created["sections"] += created


def load_units(ctx: DemoContext) -> None:
    county, created = County.objects.get_or_create(code=COUNTY_CODE, defaults={"name": COUNTY_NAME})
    ctx.created["counties"] += created
    names = _Names()
    serial = iter(range(1, 1000))

    def code(slug: str) -> dict[str, str]:
        n = next(serial)
        if slug == CREDIT_OVERRIDE:
            return {
                "credit_code": credit_code(n, broken=True),
                "credit_code_override_reason": "与事业单位法人证书原件一致，已向登记管理机关核实（演示数据）",
            }
        return {"credit_code": credit_code(n)}

    gov = _unit(ctx, county, "GOV", "示例县人民政府", UnitKind.COUNTY_GOVERNMENT, None, **code("xzf"))
    cc = _unit(ctx, county, "CC", "示例县综合行政执法指挥中心", UnitKind.COMMAND_CENTRE, gov, **code("zhzx"))
    jb = _unit(ctx, county, "JB", "示例县司法局", UnitKind.JUSTICE_BUREAU, gov, **code("sfj"))
    police = _unit(ctx, county, "PSB", "示例县公安局", UnitKind.POLICE, gov, **code("gaj"))
    proc = _unit(ctx, county, "PROC", "示例县人民检察院", UnitKind.PROCURATORATE, None, **code("jcy"))
    court = _unit(ctx, county, "COURT", "示例县人民法院", UnitKind.COURT, None, **code("fy"))
    for slug, unit in (("zhzx", cc), ("sfj", jb)):
        _sections(ctx, unit, slug)

    _person(ctx, names, gov, "副县长", ("leader",), "xzf_leader")
    _person(ctx, names, cc, "主任", ("leader",), "zhzx_leader")
    _person(ctx, names, cc, "调度员", ("dispatcher",), "zhzx_dispatcher", "指挥调度科")
    _person(ctx, names, cc, "调度员", ("dispatcher",), "zhzx_dispatcher2", "指挥调度科")
    _person(ctx, names, jb, "局长", ("leader",), "sfj_leader")
    _person(ctx, names, jb, "行政执法监督科科长", ("supervisor",), "sfj_supervisor", "行政执法监督科")
    _person(ctx, names, jb, "法制审核员", ("legal_reviewer",), "sfj_reviewer")
    _person(ctx, names, police, "法制大队民警", ("liaison",), "gaj_liaison")
    _person(ctx, names, police, "法制大队大队长", ("observer",), "gaj_observer")
    _person(ctx, names, proc, "检察官", ("observer",), "jcy_observer")
    _person(ctx, names, court, "法官", ("observer",), "fy_observer")

    cert_serial = iter(range(1, 10000))
    for slug, name, head in TOWNSHIPS:
        town = _unit(ctx, county, f"T-{slug}", name, UnitKind.TOWNSHIP, gov, **code(slug),
                     **_subject(ctx, TOWNSHIP_BASIS, slug in REVIEW_OVERDUE))  # fmt: skip
        office = _unit(ctx, county, f"JO-{slug}", f"{name}司法所", UnitKind.JUSTICE_OFFICE, jb)
        _sections(ctx, town, slug)
        team = "综合行政执法队" if slug in SECTIONS else None
        officers = [
            (_person(ctx, names, town, head, ("leader",), f"{slug}_leader"), f"{slug}_leader"),
            (_person(ctx, names, town, "执法队员", ("handler",), f"{slug}_handler", team), f"{slug}_handler"),
            (
                _person(ctx, names, town, "执法队员", ("handler",), f"{slug}_handler2", team),
                f"{slug}_handler2",
            ),
        ]
        _person(ctx, names, town, "党政办科员", ("liaison",), f"{slug}_liaison")
        _person(ctx, names, town, "协管员", (), None, team)
        _person(ctx, names, office, "司法所所长", ("supervisor",), f"{slug}sfs_supervisor")
        for person, username in officers:
            _certificate(ctx, person, next(cert_serial), "综合行政执法", username)

    for slug, name, field_name in DEPARTMENTS:
        basis = f"{field_name}领域法律、法规及《示例县机构改革方案》规定的职责"
        dept = _unit(ctx, county, f"D-{slug}", name, UnitKind.DEPARTMENT, gov, **code(slug),
                     **_subject(ctx, basis, slug in REVIEW_OVERDUE))  # fmt: skip
        _sections(ctx, dept, slug)
        sections = SECTIONS.get(slug, [])
        officers = [
            (_person(ctx, names, dept, "局长", ("leader",), f"{slug}_leader"), f"{slug}_leader"),
            (_person(ctx, names, dept, "执法大队队员", ("handler",), f"{slug}_handler", sections[-1] if sections else None),
             f"{slug}_handler"),
            (_person(ctx, names, dept, "执法大队队员", ("handler",), f"{slug}_handler2"), f"{slug}_handler2"),
        ]  # fmt: skip
        if slug != NO_LIAISON:
            _person(ctx, names, dept, "办公室科员", ("liaison",), f"{slug}_liaison")
        if sections:
            _person(ctx, names, dept, "法制审核员", ("legal_reviewer",), f"{slug}_reviewer", sections[0])
        _person(ctx, names, dept, "执法辅助人员", (), None)
        for person, username in officers:
            _certificate(ctx, person, next(cert_serial), field_name, username)

    _account(ctx, "sysadmin", "系统管理员：单位、人员、执法证、账号", admin_role="sysadmin")
    _account(ctx, "secadmin", "安全管理员：业务角色与权限", admin_role="secadmin")
    _account(ctx, "auditadmin", "审计管理员：查阅、导出审计日志", admin_role="auditadmin")
    ctx.notes.append(
        "三员管理员账号（sysadmin、secadmin、auditadmin）首次登录时须设置TOTP动态口令（双因素认证）。"
    )
