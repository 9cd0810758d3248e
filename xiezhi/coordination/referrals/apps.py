"""Registration of the referrals part, called from `CoordinationConfig.ready`."""

from __future__ import annotations


def ready() -> None:
    from xiezhi.coordination.models import PoliceSupportRequest, Referral
    from xiezhi.coordination.referrals import access
    from xiezhi.core import navigation
    from xiezhi.documents.access import register_visibility

    register_visibility(Referral, access.can_see)
    register_visibility(
        PoliceSupportRequest, lambda a, s: access.supports_visible_to(a).filter(pk=s.pk).exists()
    )
    navigation.register("行刑衔接", "referrals:list", 34)
