"""HazardLoop settings: one module, every value read from the environment through typed helpers.

SQLite is the embedded default (a file beside the project); set DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# HAZARDLOOP_PRODUCTION=1 switches on every production default (HTTPS-only cookies, HSTS,
# SSL redirect) and makes a missing SECRET_KEY an error instead of a development fallback.
PRODUCTION = env_bool("HAZARDLOOP_PRODUCTION", False)
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when HAZARDLOOP_PRODUCTION=1")
    SECRET_KEY = "dev-insecure-hazardloop-key-not-for-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files (CSP, no CDN)
    "django_filters",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "hazardloop.core",
    "hazardloop.accounts",
    "hazardloop.registry",
    "hazardloop.procurement",
    "hazardloop.audit",
    "hazardloop.hazards",
    "hazardloop.inspections",
    "hazardloop.enforcement",
    "hazardloop.meetings",
    "hazardloop.evaluation",
    "hazardloop.analytics",
    "hazardloop.onboarding",
    "hazardloop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hazardloop.core.middleware.IgnoreBrowserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hazardloop.accounts.middleware.TwoFactorMiddleware",
    "hazardloop.accounts.middleware.PasswordExpiryMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hazardloop.urls"
WSGI_APPLICATION = "hazardloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hazardloop.core.context_processors.navigation",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DEFAULT_SQLITE = BASE_DIR / "var" / "hazardloop.sqlite3"
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN so
    # that a read-then-write transaction cannot fail half-way with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
# PostgreSQL: a statement running longer than this is cancelled, and a session idle inside a
# transaction longer than the second figure is closed (the request answers 503; a held lock is
# released). Web processes (wsgi.py sets HAZARDLOOP_PROCESS=web; runserver too) get the short
# figures; commands and task workers (imports, plans, reports, backups) the long ones. 0 = none.
import sys  # noqa: E402

HAZARDLOOP_PROCESS = env_str("HAZARDLOOP_PROCESS") or ("web" if sys.argv[1:2] == ["runserver"] else "command")
if HAZARDLOOP_PROCESS == "web":
    DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30_000)
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = env_int("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", 60_000)
else:
    DB_STATEMENT_TIMEOUT_MS = env_int("DB_WORKER_STATEMENT_TIMEOUT_MS", 3_600_000)
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = env_int("DB_WORKER_IDLE_IN_TRANSACTION_TIMEOUT_MS", 600_000)
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} "
        f"-c idle_in_transaction_session_timeout={DB_IDLE_IN_TRANSACTION_TIMEOUT_MS}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and authentication ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "hazardloop.accounts.validators.CharacterClassValidator"},
]
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
# API tokens (accounts/tokens.py): each ends after this many days, and at once when revoked, when
# the password changes or expires, or when the account is deactivated. Beyond the cap of live
# tokens per user the oldest are revoked.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 30)
API_TOKEN_MAX_PER_USER = env_int("API_TOKEN_MAX_PER_USER", 10)
# The one-time password-reset link (accounts/urls.py) lives this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_MINUTES", 60) * 60
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes): per user name and address together, so that
# one attacker cannot lock a whole office out from elsewhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Failed sign-in attempts per client address (password form, API token, TOTP codes), whatever
# the user name: beyond axes, against one address spraying many names (accounts/ratelimit.py).
# Successful sign-ins do not count (an office behind one NAT address). 0 = off.
LOGIN_IP_MAX_ATTEMPTS = env_int("LOGIN_IP_MAX_ATTEMPTS", 30)
LOGIN_IP_WINDOW_SECONDS = env_int("LOGIN_IP_WINDOW_SECONDS", 600)

# The cache holds the rate-limit counters (API throttles, sign-in failures per address). They
# must be one count for every process of every server, so the cache is never per-process
# memory: Redis when REDIS_URL is set (pip install 'hazardloop[redis]'), otherwise a table in the
# application's own database (created by `migrate`; decision 0055).
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hazardloop_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    )
}

# Two-factor login (TOTP): the roles that must pass it after the password, on pages, the admin
# site and the API token view. On in every environment, DEBUG included: the demo's bureau and
# administrator logins carry a device with a published demo secret (see demo_logins), so a
# development set-up runs the same login path a deployment does. Set but empty (or "none")
# switches it off.
_2FA_RAW = os.environ.get("HAZARDLOOP_2FA_ROLES")
HAZARDLOOP_2FA_ROLES = (
    ["bureau", "admin"]
    if _2FA_RAW is None
    else [r.strip() for r in _2FA_RAW.split(",") if r.strip() and r.strip().lower() != "none"]
)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "隐患闭环")

# Personal data at rest (core/fields.py): ID and phone numbers of experts and contacts are
# stored AES-encrypted. One or more comma-separated keys (`hazardloop generate_field_key`); the
# first encrypts, all decrypt. Required in production; elsewhere a key derived from SECRET_KEY
# (so a development database stays readable without setting anything). Lose it and the
# numbers are gone: back it up apart from the database backups (docs/operations.md).
FIELD_ENCRYPTION_KEY = env_list("FIELD_ENCRYPTION_KEY", [])
if not FIELD_ENCRYPTION_KEY:
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when HAZARDLOOP_PRODUCTION=1")
    import base64
    import hashlib

    FIELD_ENCRYPTION_KEY = [
        base64.urlsafe_b64encode(
            hashlib.sha256(f"hazardloop-field-key:{SECRET_KEY}".encode()).digest()
        ).decode()
    ]

# Session expiry: idle sessions end, and the cookie dies with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# --- internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static files: front-end packages come from npm at set-up, never from the repository -----
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", PRODUCTION)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UPLOAD_MAX_MB", 20) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# One evidence file (photo or PDF); core/uploads.py re-encodes photos before storing them.
EVIDENCE_MAX_MB = env_int("EVIDENCE_MAX_MB", 10)

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: a refused token answers 401 with `WWW-Authenticate: Token` (the first class
    # names the challenge); a request without one falls through to the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hazardloop.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "hazardloop.core.api.pagination.StablePageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per user when signed in, per address otherwise; 429 answers in Chinese (core/api/errors).
    "DEFAULT_THROTTLE_CLASSES": [
        "hazardloop.core.api.throttling.UserThrottle",
        "hazardloop.core.api.throttling.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_RATE", "6000/hour"),
        "anon": env_str("API_ANON_RATE", "300/hour"),
    },
    "EXCEPTION_HANDLER": "hazardloop.core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HazardLoop API (隐患闭环)",
    "DESCRIPTION": "Every capability of the HazardLoop pages, scoped to the calling user.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names no data, but a government system shows its surface to signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads Swagger UI from our static files: the CSP allows no CDN, and the
    # network may have no way out. No validator badge either (it would call swagger.io).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Many models have a `status`: each choice set gets its own schema name, not a hash suffix.
    "ENUM_NAME_OVERRIDES": {
        "HazardStatusEnum": "hazardloop.hazards.choices.HazardStatus",
        "HazardCategoryEnum": "hazardloop.registry.choices.HazardCategory",
        "EnterpriseStatusEnum": "hazardloop.registry.choices.EnterpriseStatus",
        "ProviderStatusEnum": "hazardloop.registry.choices.ProviderStatus",
        "ImportStatusEnum": "hazardloop.registry.choices.ImportStatus",
        "ContractStatusEnum": "hazardloop.procurement.models.ContractStatus",
        "MilestoneStatusEnum": "hazardloop.procurement.models.MilestoneStatus",
        "TenderStatusEnum": "hazardloop.procurement.models.TenderStatus",
        "BidStatusEnum": "hazardloop.procurement.models.BidStatus",
        "PlanStatusEnum": "hazardloop.procurement.models.PlanStatus",
        "VisitStatusEnum": "hazardloop.procurement.models.VisitStatus",
        "PlanningJobStatusEnum": "hazardloop.procurement.models.PlanningJobStatus",
        "AwardStatusEnum": "hazardloop.procurement.models.AwardStatus",
        "BreachKindEnum": "hazardloop.procurement.models.BreachKind",
        "ChecklistStatusEnum": "hazardloop.inspections.choices.ChecklistStatus",
        "InspectionStatusEnum": "hazardloop.inspections.choices.InspectionStatus",
        "EnforcementActionStatusEnum": "hazardloop.enforcement.choices.ActionStatus",
        "MeetingStatusEnum": "hazardloop.meetings.choices.MeetingStatus",
        "ScorecardStatusEnum": "hazardloop.evaluation.choices.ScorecardStatus",
        "PeriodKindEnum": "hazardloop.evaluation.choices.PeriodKind",
        "RatingKindEnum": "hazardloop.evaluation.choices.RatingKind",
        "KpiCodeEnum": "hazardloop.evaluation.choices.KpiCode",
    },
}

# --- background tasks (the django.tasks API, database backend) --------------------------------
# --- enterprise activation (onboarding, decision 0060) ------------------------------------------
# The address printed on notices and in the activation SMS (the QR code opens it).
SITE_URL = env_str("SITE_URL") or "http://127.0.0.1:8000"
# How codes reach enterprises: the console backend logs them (demo, development); production
# names its SMS gateway adapter or hazardloop.onboarding.backends.EmailBackend.
ONBOARDING_SENDER = env_str("ONBOARDING_SENDER") or "hazardloop.onboarding.backends.ConsoleBackend"
ONBOARDING_CODE_DAYS = env_int("ONBOARDING_CODE_DAYS", 30)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task RUNNING longer than this has lost its worker and is re-queued by `recover_tasks`;
# keep it above the longest task (a large import or plan solve).
TASKS_STALE_AFTER_MINUTES = env_int("TASKS_STALE_AFTER_MINUTES", 30)

# --- security headers -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "hazardloop.core.errorpages.csrf_failure"  # Chinese, not Django's English
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hazardloop@localhost")

# --- domain configuration -----------------------------------------------------------------------
# The district this installation serves (GB/T 2260 code); the demo builds 龙安区, 410506.
HAZARDLOOP_DISTRICT_CODE = env_str("HAZARDLOOP_DISTRICT_CODE", "410506")
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
# Checked across every part of an .xlsx before any reader parses it (core/xlsx_guard.py): the
# inflated size of all parts together, the cells of all worksheets, and each part's
# compression ratio (a spreadsheet's XML compresses about 10:1; a zip bomb 1000:1).
IMPORT_MAX_INFLATED_MB = env_int("IMPORT_MAX_INFLATED_MB", 512)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 6_000_000)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 200)

# --- audit log and backups (hazardloop.audit; core's backup and restore commands) -------------
# purge_audit keeps at least 180 days whatever this says (网络安全法 第二十一条: six months).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
# Signed checkpoints of the chain head, kept outside the database (audit/checkpoints.py):
# `verify_audit --checkpoint` appends one, every `verify_audit` compares them all. Put the file
# where the database and the web processes cannot write (docs/operations.md, "Audit log").
# Empty: no checkpoints (development); set it in every deployment.
AUDIT_CHECKPOINT_FILE = env_str("AUDIT_CHECKPOINT_FILE")
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY") or f"hazardloop-audit-checkpoint:{SECRET_KEY}"
BACKUP_DIR = Path(env_str("BACKUP_DIR") or BASE_DIR / "var" / "backups")

# --- the closed loop (hazardloop.hazards) --------------------------------------------------------
# On: general hazards wait for the monthly joint meeting's feedback before routing (major never do).
HAZARD_FEEDBACK_GATE_GENERAL = env_bool("HAZARD_FEEDBACK_GATE_GENERAL", False)
# An extension is asked at least this many working days before the deadline, per legal level
# (Qingdao "3+X": 20 for major hazards), and decided within the second figure.
HAZARD_EXTENSION_NOTICE_WORKING_DAYS = {
    "general": env_int("HAZARD_EXTENSION_NOTICE_GENERAL", 3),
    "major": env_int("HAZARD_EXTENSION_NOTICE_MAJOR", 20),
}
HAZARD_EXTENSION_DECISION_WORKING_DAYS = env_int("HAZARD_EXTENSION_DECISION_WORKING_DAYS", 10)
# On-site review of a resumption application within this many days (Order 16 Art. 23: 10).
HAZARD_RESUMPTION_REVIEW_DAYS = env_int("HAZARD_RESUMPTION_REVIEW_DAYS", 10)
HAZARD_REINSPECTION_WORKING_DAYS = env_int("HAZARD_REINSPECTION_WORKING_DAYS", 5)
HAZARD_REMINDER_DAYS = env_int("HAZARD_REMINDER_DAYS", 3)
# Work Safety Law Art. 113: penalties for major hazards this many times within 180 days, or
# within a year, let the bureau propose closure (hazardloop.enforcement).
ENFORCEMENT_ART113_THRESHOLD_180_DAYS = env_int("ENFORCEMENT_ART113_THRESHOLD_180_DAYS", 3)
ENFORCEMENT_ART113_THRESHOLD_365_DAYS = env_int("ENFORCEMENT_ART113_THRESHOLD_365_DAYS", 4)
# On: an inspection team below the required size is recorded as a deviation (flag and reason,
# counted against the provider) instead of being refused.
INSPECTION_ALLOW_TEAM_DEVIATION = env_bool("INSPECTION_ALLOW_TEAM_DEVIATION", False)
# Service-quality evaluation (hazardloop.evaluation): how a confirmed score adjusts a payment for
# a contract that has no rule of its own. At or above full_score 100 % is paid; each point
# below deducts deduct_per_point %; below floor_score floor_share % is paid (decision 0015).
EVALUATION_PAYMENT_RULE = {
    "full_score": env_int("EVALUATION_FULL_SCORE", 90),
    "deduct_per_point": env_int("EVALUATION_DEDUCT_PER_POINT", 1),
    "floor_score": env_int("EVALUATION_FLOOR_SCORE", 60),
    "floor_share": env_int("EVALUATION_FLOOR_SHARE", 50),
}
