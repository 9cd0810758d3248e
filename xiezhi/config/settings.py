"""Settings for every environment, read from environment variables with safe defaults.

`xiezhi.config.production` tightens these for a real deployment. Nothing here needs editing to run
the zero-setup SQLite default: `make run` works on a fresh machine.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("XIEZHI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use XIEZHI_SECRET_KEY, else a key generated once and kept under var/ (never committed)."""
    key = os.environ.get("XIEZHI_SECRET_KEY")
    if key:
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("XIEZHI_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("XIEZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("XIEZHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
DEMO = env_bool("XIEZHI_DEMO", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "xiezhi.core",
    "xiezhi.accounts",
    "xiezhi.units",
    "xiezhi.audit",
    "xiezhi.deadlines",
    "xiezhi.notifications",
    "xiezhi.catalogue",
    "xiezhi.documents",
    "xiezhi.transfers",
    "xiezhi.coordination",
    "xiezhi.intake",
    "xiezhi.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xiezhi.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xiezhi.accounts.middleware.ActorMiddleware",
    "xiezhi.accounts.middleware.AccountPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xiezhi.config.urls"
WSGI_APPLICATION = "xiezhi.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xiezhi.core.context_processors.shell",
            ],
            "builtins": ["xiezhi.core.templatetags.zh"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("XIEZHI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'xiezhi.sqlite3'}"),
        conn_max_age=int(os.environ.get("XIEZHI_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "XIEZHI_DB_PREPARED_STATEMENTS", True
):
    # Django turns psycopg's prepared statements off (for transaction-mode poolers). Its own
    # cursors bind client-side and never prepare either way; this lets the hot reads that ask for
    # it (xiezhi/core/statements.py) be prepared. Turn it off behind such a pooler.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
_RANDOM_PAGE_COST = os.environ.get("XIEZHI_DB_RANDOM_PAGE_COST", "1.1")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _RANDOM_PAGE_COST:
    # PostgreSQL's default random_page_cost (4) prices a heap page fetched by index as if it came
    # from a spinning disk. With the tables in memory or on SSD that made the planner walk the
    # whole primary key backwards for a rare search term (85 ms) instead of using its trigram
    # index (1 ms), and pass over a unit's own (sender, id) index. 1.1 is the usual SSD value;
    # an empty XIEZHI_DB_RANDOM_PAGE_COST leaves the server's setting alone.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={float(_RANDOM_PAGE_COST)}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the scheduler share the embedded database.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "xiezhi.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
XIEZHI_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("XIEZHI_PASSWORD_MAX_AGE_DAYS", "90"))

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Idle sessions end after 30 minutes (等保 2.0); each request renews the window.
SESSION_COOKIE_AGE = int(os.environ.get("XIEZHI_SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False

# Lockout: 5 consecutive failures lock the account for 30 minutes; per-IP throttling too.
AXES_FAILURE_LIMIT = int(os.environ.get("XIEZHI_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("XIEZHI_LOCKOUT_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "xiezhi.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Per-IP throttling is our own (a higher limit than per-account), so axes locks by username only.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
XIEZHI_IP_FAILURE_LIMIT = int(os.environ.get("XIEZHI_IP_FAILURE_LIMIT", "50"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("XIEZHI_MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = DEBUG

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Audit chain hash: "sha256" (default) or "sm3" (国密, via OpenSSL when available).
XIEZHI_AUDIT_HASH = os.environ.get("XIEZHI_AUDIT_HASH", "sha256")
# Seconds a committed audit event may wait for the chainer before verify-audit reports it.
XIEZHI_AUDIT_CHAIN_GRACE = int(os.environ.get("XIEZHI_AUDIT_CHAIN_GRACE", "10"))
# PostgreSQL: after commit, a per-process thread chains audit events (off: the committing thread does).
XIEZHI_AUDIT_CHAIN_BACKGROUND = env_bool("XIEZHI_AUDIT_CHAIN_BACKGROUND", True)
XIEZHI_SCHEDULER = env_bool("XIEZHI_SCHEDULER", True)
# verify-audit on PostgreSQL: processes that check events in parallel over 200,000 (0 = one per CPU).
XIEZHI_AUDIT_VERIFY_WORKERS = int(os.environ.get("XIEZHI_AUDIT_VERIFY_WORKERS", "0"))
# Seconds a server process keeps what an API token resolved to (account, unit, roles); 0 turns the
# cache off. Revocations and role changes clear it at once in the process that made them; on
# PostgreSQL a NOTIFY clears it in every other process at commit, and entries then live the
# longer LISTENING time. Without a listening connection a change reaches the other processes
# within XIEZHI_API_AUTH_CACHE_SECONDS (xiezhi/accounts/token_cache.py).
XIEZHI_API_AUTH_CACHE_SECONDS = float(os.environ.get("XIEZHI_API_AUTH_CACHE_SECONDS", "10"))
XIEZHI_API_AUTH_CACHE_LISTENING_SECONDS = float(
    os.environ.get("XIEZHI_API_AUTH_CACHE_LISTENING_SECONDS", "300")
)
XIEZHI_API_AUTH_CACHE_LISTEN = env_bool("XIEZHI_API_AUTH_CACHE_LISTEN", True)

# Notifications: outbound channels (console, email, sms) and the SMS gateway webhook.
XIEZHI_NOTIFY_CHANNELS = [
    c.strip() for c in os.environ.get("XIEZHI_NOTIFY_CHANNELS", "console").split(",") if c.strip()
]
XIEZHI_NOTIFY_EMAIL_DOMAIN = os.environ.get("XIEZHI_NOTIFY_EMAIL_DOMAIN", "")
XIEZHI_SMS_WEBHOOK_URL = os.environ.get("XIEZHI_SMS_WEBHOOK_URL", "")
XIEZHI_SMS_WEBHOOK_SECRET = os.environ.get("XIEZHI_SMS_WEBHOOK_SECRET", "")
XIEZHI_SITE_URL = os.environ.get("XIEZHI_SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XIEZHI_LOG_LEVEL", "WARNING")},
}
