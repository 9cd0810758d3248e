"""Production settings: everything in `settings` plus HTTPS-only cookies, HSTS and strict hosts.

Required variables: XIEZHI_SECRET_KEY, XIEZHI_ALLOWED_HOSTS, XIEZHI_DATABASE_URL.
"""

from __future__ import annotations

import os

from xiezhi.config.settings import *  # noqa: F403

DEBUG = False
if not os.environ.get("XIEZHI_SECRET_KEY"):
    raise RuntimeError("生产环境必须设置 XIEZHI_SECRET_KEY")
SECURE_SSL_REDIRECT = env_bool("XIEZHI_SSL_REDIRECT", True)  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("XIEZHI_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
