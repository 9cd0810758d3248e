"""The `xiezhi` operator command. Every subcommand is a Django management command, so it also works
as `python -m django <command>` with the settings module set."""

from __future__ import annotations

import os
import sys

HELP = """\
用法 / usage: xiezhi <命令 command> [选项 options]

运维命令 / operator commands:
  serve            启动平台（Web 服务与定时任务）/ run the web server and the job scheduler
  migrate          创建或升级数据库结构 / create or upgrade the database schema
  demo             载入示例县演示数据（可重复执行）/ load the demo county (idempotent)
  createadmin      创建三员管理员账号 / create an administrator account (sysadmin, secadmin, auditadmin)
  verify-audit     校验审计日志哈希链 / verify the audit trail's hash chain
  audit-archive    导出180天前的审计事件（不删除）/ export audit events older than 180 days (nothing deleted)
  audit-chain      将已提交的审计事件链入哈希链 / link committed audit events into the hash chain
  sweep            时限巡检：超期标记、提醒、督办 / mark overdue duties, remind, escalate
  hazard_sweep     隐患通报巡检：超时未派员的报告县政府 / report overdue hazard dispatches to the government
  deliver          发送到期的通知投递（含重试）/ send due notification deliveries, with retries
  deadline         计算时限截止时间 / compute a deadline, e.g. `xiezhi deadline 2024-09-27T10:00 3WD --json`
  calendar         工作日历：show 年份 / import 文件 / working-day calendar: show YEAR, import FILE.csv
  jurisdiction     管辖查询：某事项某日在某乡镇由谁执法 / who is competent, e.g.
                   `xiezhi jurisdiction --matter DEMO-SR-001 --township 城关镇 --date 2025-06-01 --json`
  catalogue        事项清单导入导出：import 文件 / export / catalogue import FILE.xlsx, export
  dispatch         派单助手：train 训练模型 / eval 文件.csv 评估 / dispatch assistant: train, eval FILE.csv [--json]
  rules-coverage   规则测试覆盖情况 / which tests prove each rule of docs/RULES.md

`xiezhi <命令> --help` 查看该命令的选项 / shows that command's options.
其他 Django 管理命令同样可用 / every other Django management command works too.
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(HELP)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezhi.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["xiezhi", *args])


if __name__ == "__main__":
    main()
