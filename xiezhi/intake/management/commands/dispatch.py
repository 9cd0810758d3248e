"""`xiezhi dispatch train` and `xiezhi dispatch eval FILE.csv [--json]`."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiezhi.intake import dispatching
from xiezhi.rulebook import dispatch as rd


class Command(BaseCommand):
    help = "派单助手：train 训练并保存模型；eval FILE.csv 评估"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="用内置开发集和已确认的派单训练模型，保存到 var/dispatch/")
        train.add_argument("--quick", action="store_true", help="不做交叉验证调参（更快）")
        ev = sub.add_parser("eval", help="评估 FILE.csv（列 id,text,matter_code）")
        ev.add_argument("file")
        ev.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "train":
            path, n = dispatching.train_and_save(tune=not options["quick"])
            self.stdout.write(f"已训练派单模型（{n}条样本）：{path}")
            return
        idx = dispatching.index()
        if idx is None:
            raise CommandError("尚无派单模型，请先运行 xiezhi dispatch train")
        try:
            rows = rd.load_rows(options["file"])
        except (rd.DispatchDataError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        report = rd.evaluate(rows, lambda text: idx.rank(text, 3), dispatching.catalogue_matters())
        figures = rd.eval_json(report)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        self.stdout.write(report.summary())
