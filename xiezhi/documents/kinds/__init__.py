"""One module per document type: its declarative spec and its body generator."""

from __future__ import annotations

from xiezhi.core.errors import ValidationFailed
from xiezhi.documents.kinds import (
    acceptance_reply,
    assistance_reply,
    consultation_minutes,
    copy_notice,
    correction_opinion,
    criminal_referral,
    dispute_application,
    entrustment,
    minutes,
    oral_transfer_record,
    transfer_letter,
)
from xiezhi.documents.specs import DocSpec

SPECS: dict[str, DocSpec] = {
    m.SPEC.doc_type: m.SPEC
    for m in (
        transfer_letter,
        acceptance_reply,
        copy_notice,
        oral_transfer_record,
        dispute_application,
        minutes,
        entrustment,
        criminal_referral,
        consultation_minutes,
        assistance_reply,
        correction_opinion,
    )
}


def spec_for(doc_type: str) -> DocSpec:
    try:
        return SPECS[doc_type]
    except KeyError:
        raise ValidationFailed.field("doc_type", f"不支持的文书类型：{doc_type}") from None
