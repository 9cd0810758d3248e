from __future__ import annotations

import importlib

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
]

urlpatterns = [path("api/v1/", api.urls), path("", include("xiezhi.core.urls"))]
for prefix, module_name in APP_URLS:
    try:
        importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        continue
    urlpatterns.append(path(prefix, include(module_name)))
