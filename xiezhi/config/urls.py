from __future__ import annotations

from django.urls import include, path

from xiezhi.config.api import api

# Apps with pages; each `urls` module sets app_name to its namespace.
APP_URLS = [
    ("accounts/", "xiezhi.accounts.urls"),
    ("units/", "xiezhi.units.urls"),
    ("audit/", "xiezhi.audit.urls"),
    ("deadlines/", "xiezhi.deadlines.urls"),
    ("notifications/", "xiezhi.notifications.urls"),
    ("catalogue/", "xiezhi.catalogue.urls"),
    ("public/", "xiezhi.catalogue.public_urls"),
    ("documents/", "xiezhi.documents.urls"),
    ("transfers/", "xiezhi.transfers.urls"),
    ("disputes/", "xiezhi.coordination.disputes.urls"),
    ("referrals/", "xiezhi.coordination.referrals.urls"),
    ("assistance/", "xiezhi.coordination.assistance.urls"),
    ("hazards/", "xiezhi.coordination.assistance.hazard_urls"),
    ("corrections/", "xiezhi.coordination.corrections.urls"),
    ("intake/", "xiezhi.intake.urls"),
    ("public/", "xiezhi.intake.public_urls"),
    ("sharing/", "xiezhi.coordination.sharing.urls"),
    ("meetings/", "xiezhi.coordination.meetings.urls"),
    ("operations/", "xiezhi.coordination.operations.urls"),
    ("dashboards/", "xiezhi.dashboards.urls"),
]

urlpatterns = [path("api/v1/", api.urls), path("", include("xiezhi.core.urls"))]
urlpatterns += [path(prefix, include(module_name)) for prefix, module_name in APP_URLS]
