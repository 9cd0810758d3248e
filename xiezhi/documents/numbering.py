"""Document numbers (发文字号): "示例县城管移〔2025〕12号" = issuer code + type abbreviation + 〔year〕 + n + 号.

Numbers run per unit, document type and year from 1, without gaps or duplicates: `next_number`
must run inside the caller's transaction, so that a document that fails to be issued gives its
number back when the transaction rolls back.
"""

from __future__ import annotations

from django.db import connection, transaction

from xiezhi.documents.models import DocumentSequence, DocumentType
from xiezhi.units.models import Unit

# 发文字号 abbreviation of each document type.
TYPE_ABBREVIATIONS: dict[str, str] = {
    DocumentType.TRANSFER_LETTER: "移",
    DocumentType.ACCEPTANCE_REPLY: "告",
    DocumentType.COPY_NOTICE: "抄",
    DocumentType.ORAL_TRANSFER_RECORD: "口",
    DocumentType.DISPUTE_APPLICATION: "协",
    DocumentType.MINUTES: "纪",
    DocumentType.ENTRUSTMENT: "委",
    DocumentType.CRIMINAL_REFERRAL: "刑移",
    DocumentType.CONSULTATION_MINUTES: "会纪",
    DocumentType.ASSISTANCE_REPLY: "助",
    DocumentType.CORRECTION_OPINION: "纠",
}

# Organisational endings dropped from a unit's name to form its code when no short name is set.
# Longest first, so "人民政府" wins over "政府".
NAME_SUFFIXES = (
    "人民政府",
    "办事处",
    "委员会",
    "办公室",
    "指挥中心",
    "中心",
    "政府",
    "局",
    "所",
    "院",
)

# Customary abbreviations of department names, applied to what is left (示例县城市管理 → 示例县城管).
NAME_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("综合行政执法", "综合执法"),
    ("城市管理", "城管"),
    ("市场监督管理", "市场监管"),
    ("住房和城乡建设", "住建"),
    ("自然资源和规划", "自然资源"),
    ("卫生健康", "卫健"),
    ("文化广电旅游", "文旅"),
    ("文化和旅游", "文旅"),
    ("交通运输", "交通"),
    ("应急管理", "应急"),
)


def unit_code(unit: Unit) -> str:
    """The issuer part of the number: `Unit.short_name` when set, else derived from the name.

    Derivation: drop one organisational ending (人民政府, 办事处, 局, 所 …) and shorten customary
    department names (城市管理 → 城管 …). "示例县城市管理局" → "示例县城管", "城关镇人民政府" →
    "城关镇", "城关镇" → "城关镇". An administrator who wants another code sets the short name."""
    short = unit.short_name.strip()
    if short:
        return short
    name = unit.name.strip()
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    for long, abbreviation in NAME_ABBREVIATIONS:
        name = name.replace(long, abbreviation)
    return name


def format_number(unit: Unit, doc_type: str, year: int, number: int) -> str:
    return f"{unit_code(unit)}{TYPE_ABBREVIATIONS[doc_type]}〔{year}〕{number}号"


def next_number(unit: Unit, doc_type: str, year: int) -> int:
    """Take the next number for (unit, doc_type, year). Must run inside the caller's transaction.

    The sequence row is locked with SELECT … FOR UPDATE until the caller commits, so concurrent
    issuers queue on it (on SQLite the database-wide write lock serialises them instead). A missing
    row is created with INSERT … ON CONFLICT DO NOTHING, so two first issuers of a year cannot
    both create it; the loser waits for the winner's row and locks that."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that issues the document")
    if doc_type not in TYPE_ABBREVIATIONS:
        raise ValueError(f"unknown document type {doc_type!r}")
    if not isinstance(unit, Unit) or unit.pk is None:
        raise TypeError("documents are numbered per saved Unit")
    key = {"unit": unit, "doc_type": doc_type, "year": year}
    with transaction.atomic():
        seq = DocumentSequence.objects.select_for_update().filter(**key).first()
        if seq is None:
            DocumentSequence.objects.bulk_create(
                [DocumentSequence(**key, last_number=0)], ignore_conflicts=True
            )
            seq = DocumentSequence.objects.select_for_update().get(**key)
        seq.last_number += 1
        seq.save(update_fields=["last_number"])
        return seq.last_number
