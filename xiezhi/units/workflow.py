"""The certificate status table (DESIGN §4 Transitions). Cancellation is final: a cancelled
certificate is never revived; a new certificate is registered instead."""

from __future__ import annotations

from xiezhi.rulebook.workflows import Workflow
from xiezhi.units.models import CertificateStatus

CERTIFICATE = Workflow(
    name="certificate",
    label="执法证",
    initial=CertificateStatus.VALID,
    states=dict(CertificateStatus.choices),
    actions={"suspend": "暂扣", "reinstate": "恢复", "cancel": "注销"},
    transitions={
        (CertificateStatus.VALID, "suspend"): CertificateStatus.SUSPENDED,
        (CertificateStatus.SUSPENDED, "reinstate"): CertificateStatus.VALID,
        (CertificateStatus.VALID, "cancel"): CertificateStatus.CANCELLED,
        (CertificateStatus.SUSPENDED, "cancel"): CertificateStatus.CANCELLED,
    },
    rules={
        (CertificateStatus.VALID, "suspend"): ("R-CASE-01",),
        (CertificateStatus.VALID, "cancel"): ("R-CASE-01",),
        (CertificateStatus.SUSPENDED, "cancel"): ("R-CASE-01",),
    },
)
