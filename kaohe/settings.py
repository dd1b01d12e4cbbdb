"""Settings, all from the environment (DESIGN.md §3.6).

SQLite in KAOHE_DATA_DIR by default; PostgreSQL when DATABASE_URL is set. Secrets come from the
environment; on a developer's laptop they are generated once into the data folder instead.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KAOHE_DATA_DIR", "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _secret(env_name: str, filename: str, make) -> str:
    """The secret from the environment, else one kept in the data folder (created on first use)."""
    if os.environ.get(env_name):
        return os.environ[env_name]
    path = DATA_DIR / filename
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = _env_bool("KAOHE_DEBUG", False)
SECRET_KEY = _secret("KAOHE_SECRET_KEY", "secret.key", get_random_secret_key)
# Key for the encrypted personal fields (phone, ID number); losing it loses those fields.
FIELD_ENCRYPTION_KEY = _secret("KAOHE_FIELD_KEY", "field.key", lambda: Fernet.generate_key().decode())
# Key of the audit log's hash chain (HMAC): without it nobody can re-forge the chain after an edit.
AUDIT_KEY = _secret("KAOHE_AUDIT_KEY", "audit.key", lambda: secrets.token_hex(32))
# Anchors (`kaohe audit anchor`, run from cron) are kept outside the database they vouch for.
AUDIT_ANCHOR_FILE = Path(os.environ.get("KAOHE_AUDIT_ANCHOR_FILE", DATA_DIR / "audit-anchors.log"))
ALLOWED_HOSTS = os.environ.get("KAOHE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
TRUST_PROXY = _env_bool("KAOHE_TRUST_PROXY", False)  # take the client address from X-Forwarded-For
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KAOHE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "ninja",  # serves Swagger UI for /api/v1/docs from local static files
    "kaohe.accounts",
    "kaohe.audit",
    "kaohe.orgs",
    "kaohe.jobs",
    "kaohe.files",
    "kaohe.measures",
    "kaohe.consultation",
    "kaohe.cycles",
    "kaohe.ledgers",
    "kaohe.discipline",
    "kaohe.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kaohe.audit.middleware.RequestContextMiddleware",
    "kaohe.accounts.middleware.PasswordChangeRequiredMiddleware",
    "kaohe.accounts.middleware.NoStoreForSignedInMiddleware",
]

ROOT_URLCONF = "kaohe.urls"
WSGI_APPLICATION = "kaohe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kaohe.accounts.context_processors.navigation",
            ],
        },
    }
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "kaohe.sqlite3"),
            "OPTIONS": {
                # WAL lets the worker write while pages read; IMMEDIATE avoids upgrade deadlocks.
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Security policy (等保 2.0): lock after repeated failures, idle sessions expire.
LOGIN_MAX_FAILURES = int(os.environ.get("KAOHE_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("KAOHE_LOGIN_LOCKOUT_MINUTES", "15"))
SESSION_COOKIE_AGE = int(os.environ.get("KAOHE_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the timeout counts from the last request, not the login
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env_bool("KAOHE_SECURE_COOKIES", False)

# The browser may load nothing from outside the server: the intranet rule, enforced by the browser.
# Inline styles stay allowed (Bootstrap components and htmx's indicator style use them); scripts do not.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by whitenoise from the app folders in development, from STATIC_ROOT once collected.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

# Uploads larger than this are refused before they are read (bytes).
MAX_UPLOAD_BYTES = int(os.environ.get("KAOHE_MAX_UPLOAD_MB", "10")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Rows an import may carry: a whole province's member list fits; a zip bomb does not.
MAX_IMPORT_ROWS = int(os.environ.get("KAOHE_MAX_IMPORT_ROWS", "200000"))

NINJA_PAGINATION_PER_PAGE = 100
API_TOKEN_DAYS = int(os.environ.get("KAOHE_API_TOKEN_DAYS", "180"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KAOHE_LOG_LEVEL", "WARNING")},
}
