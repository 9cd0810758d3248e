"""`xiezhi rules-coverage`: every rule ID of docs/RULES.md with the tests that carry its marker."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

RULE_ID = re.compile(r"\*\*(R-[A-Z]+-\d+)\*\*")


def rule_ids(rules_file: Path) -> list[str]:
    return RULE_ID.findall(rules_file.read_text(encoding="utf-8"))


class _Collector:
    def __init__(self) -> None:
        self.by_rule: dict[str, list[str]] = {}

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        for item in items:
            for marker in item.iter_markers("rule"):
                for rule in marker.args:
                    self.by_rule.setdefault(str(rule), []).append(item.nodeid)


def collect(base: Path) -> dict[str, list[str]]:
    import pytest

    collector = _Collector()
    paths = [str(p) for p in (base / "xiezhi", base / "e2e") if p.exists()]
    # The collection listing goes to a buffer: only the coverage report is this command's output.
    with contextlib.redirect_stdout(io.StringIO()):
        code = pytest.main(["--collect-only", *paths], plugins=[collector])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise CommandError(f"测试收集失败（pytest 退出码 {int(code)}）/ test collection failed")
    return collector.by_rule


class Command(BaseCommand):
    help = "列出 docs/RULES.md 中每条规则及证明它的测试 / list every rule ID with the tests that prove it"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="输出 JSON：规则ID → 测试节点ID列表 / print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.BASE_DIR)
        ids = rule_ids(base / "docs" / "RULES.md")
        found = collect(base)
        mapping = {rule: sorted(found.get(rule, [])) for rule in ids}
        if options["json"]:
            self.stdout.write(json.dumps(mapping, ensure_ascii=False, indent=2))
            return
        covered = [r for r in ids if mapping[r]]
        for rule in ids:
            tests = mapping[rule]
            self.stdout.write(f"{rule}: {len(tests)} 项测试" if tests else f"{rule}: 未覆盖")
            for node in tests:
                self.stdout.write(f"    {node}")
        self.stdout.write(f"\n已覆盖 {len(covered)}/{len(ids)} 条规则")
        unknown = sorted(set(found) - set(ids))
        if unknown:
            self.stdout.write(f"测试中引用了 RULES.md 以外的编号：{', '.join(unknown)}")
