"""`xiezhi demo`: load the demo county 示例县. Idempotent: a second run changes nothing.

Other apps add their demo data by appending a loader's dotted path to LOADERS (after the ones they
depend on); each loader takes the shared `DemoContext`.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from xiezhi.audit.services import record
from xiezhi.units.demo import DEMO_PASSWORD, DemoContext

LOADERS: list[str] = [
    "xiezhi.units.demo.load_units",
    "xiezhi.catalogue.demo.load_catalogue",
    "xiezhi.transfers.demo.load_transfers",
    "xiezhi.intake.demo.load_intake",
    "xiezhi.coordination.sharing.demo.load_sharing",
    "xiezhi.coordination.referrals.demo.load_referrals",
    "xiezhi.coordination.meetings.demo.load_linkage",
    "xiezhi.coordination.assistance.demo.load_assistance",
    "xiezhi.coordination.corrections.demo.load_corrections",
]

LABELS = {
    "assistance": "协助请求",
    "hazards": "隐患通报",
    "corrections": "纠错意见",
    "feedback": "监管执法反馈",
    "counties": "县",
    "units": "单位",
    "sections": "内设机构",
    "people": "人员",
    "roles": "业务角色",
    "certificates": "执法证",
    "accounts": "账号",
    "passwords": "设置演示密码的账号",
    "matters": "事项",
    "entrustments": "委托书",
    "catalogue_versions": "目录版本",
    "shared_records": "共享信息",
    "share_subscriptions": "信息共享订阅",
    "meetings": "会商会议",
    "operations": "联合执法行动",
    "transfers": "案件移送",
    "disputes": "执法争议",
}


class Command(BaseCommand):
    help = "载入示例县演示数据（可重复执行）/ load the demo county 示例县 (idempotent)"

    def handle(self, *args: Any, **options: Any) -> None:
        demo = bool(getattr(settings, "DEMO", False))
        if demo:
            password_validation.validate_password(DEMO_PASSWORD)
        ctx = DemoContext(demo=demo, write=self.stdout.write)
        started = time.monotonic()
        with transaction.atomic():
            for path in LOADERS:
                import_string(path)(ctx)
            created = {k: v for k, v in ctx.created.items() if v}
            if created:
                record(None, "demo.load", ("demo", "", "示例县演示数据"), after=created)
        elapsed = time.monotonic() - started

        if created:
            summary = "，".join(f"{LABELS.get(k, k)} {v}" for k, v in created.items())
            self.stdout.write(
                self.style.SUCCESS(f"示例县演示数据已载入：新增{summary}（用时{elapsed:.1f}秒）")
            )
        else:
            self.stdout.write(f"示例县演示数据已是最新，无需改动（用时{elapsed:.1f}秒）")
        if demo:
            self.stdout.write("")
            self.stdout.write(
                "演示账号 / demo sign-in names（账号名规则：单位简拼_角色，例如 cgz_leader 为城关镇负责人）："
            )
            for username, description in ctx.accounts:
                self.stdout.write(f"  {username:<20} {description}")
            self.stdout.write(f"演示密码 / demo password（所有演示账号通用）：{DEMO_PASSWORD}")
        else:
            self.stdout.write(
                "未开启演示模式（XIEZHI_DEMO=1），不设置公开的演示密码：新建账号均无可用密码，"
                f"请用 `xiezhi changepassword <账号>` 设置。共 {len(ctx.accounts)} 个演示账号。"
            )
        for note in ctx.notes:
            self.stdout.write(note)
