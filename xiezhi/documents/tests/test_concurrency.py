"""Eight concurrent issuers on PostgreSQL: every number distinct, and together consecutive."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection, transaction

from xiezhi.documents.models import DocumentSequence, IssuedDocument
from xiezhi.documents.numbering import next_number
from xiezhi.documents.services import issue_document
from xiezhi.documents.tests.samples import SAMPLES
from xiezhi.testing.factories import make_personas

THREADS = 8


def _run_concurrently(work: Callable[[int], list[int]]) -> list[int]:
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        try:
            start.wait()
            got = work(n)
            with lock:
                results.extend(got)
        except BaseException as exc:  # collected and asserted by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_take_distinct_consecutive_numbers() -> None:
    personas = make_personas()
    unit = personas.department
    each = 25

    def work(n: int) -> list[int]:
        got = []
        for _ in range(each):
            # A fresh (unit, type, year): the threads also race to create the sequence row.
            with transaction.atomic():
                got.append(next_number(unit, "transfer_letter", 2031))
        return got

    numbers = _run_concurrently(work)
    assert len(numbers) == THREADS * each
    assert sorted(numbers) == list(range(1, THREADS * each + 1))
    assert DocumentSequence.objects.get(unit=unit, doc_type="transfer_letter", year=2031).last_number == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_issue_documents_with_distinct_numbers() -> None:
    personas = make_personas()
    actor = personas.actor("department_liaison")
    each = 2

    def work(n: int) -> list[int]:
        got = []
        for i in range(each):
            data = {**SAMPLES["copy_notice"], "content": f"第{n}号线程的第{i}份抄告。"}
            doc = issue_document(
                actor,
                doc_type="copy_notice",
                unit=personas.department,
                subject=personas.county,
                data=data,
                issued_on=date(2031, 5, 6),
            )
            got.append(doc.serial)
        return got

    serials = _run_concurrently(work)
    assert sorted(serials) == list(range(1, THREADS * each + 1))
    numbers = set(IssuedDocument.objects.values_list("number", flat=True))
    assert numbers == {f"示例县城管抄〔2031〕{n}号" for n in range(1, THREADS * each + 1)}
    # Different content, different files: none overwritten another.
    assert IssuedDocument.objects.values("pdf_path").distinct().count() == THREADS * each
