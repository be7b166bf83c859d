"""Settings for lernstadt, driven by environment variables.

Every variable is documented in docs/operations.md. Secrets come from the
environment or from a file named by the same variable with the suffix ``_FILE``.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    """Read ``name`` from the environment, or from the file named by ``name_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("LERNSTADT_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DEBUG = env_bool("LERNSTADT_DEBUG", False)
# Without a configured key, a development key is used; check --deploy flags it.
SECRET_KEY = env("LERNSTADT_SECRET_KEY") or "django-insecure-development-only-key-change-me"
ALLOWED_HOSTS = [h for h in env("LERNSTADT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("LERNSTADT_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "lernstadt.cities",
    "lernstadt.catalog",
    "lernstadt.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lernstadt.lib.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "lernstadt.urls"
WSGI_APPLICATION = "lernstadt.wsgi.application"

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
                "lernstadt.cities.context_processors.city",
                "lernstadt.monitoring.context_processors.example_data",
            ],
        },
    },
]

if not env("DATABASE_URL"):
    # SQLite creates its file, but not the folder for it.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'lernstadt.sqlite3'}",
        conn_max_age=int(env("LERNSTADT_DB_CONN_MAX_AGE", "60")),
    )
}
# SQLite reads its file through a memory map of this size: a page then costs no
# system call, which made a search's look-ups of entries 2 to 4 times faster on
# the regional catalogue (docs/benchmarks.md, session 12).
SQLITE_MMAP_BYTES = int(env("LERNSTADT_SQLITE_MMAP_MB", "1024")) * 2**20
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA mmap_size={SQLITE_MMAP_BYTES};"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the portal's css, js and vendored libraries
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Static files are found in the apps (WHITENOISE_USE_FINDERS); collectstatic is optional.
warnings.filterwarnings("ignore", message="No directory at")

# Security headers; HTTPS-only settings switch on with LERNSTADT_HTTPS=1 behind TLS.
HTTPS = env_bool("LERNSTADT_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Login throttling: five failures lock the username and address for one hour.
AXES_FAILURE_LIMIT = int(env("LERNSTADT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# The city pack: data, not code. Herne is the built-in default.
LERNSTADT_CITY = env("LERNSTADT_CITY", "herne")
# The public address of the portal, for absolute links in exported files.
LERNSTADT_BASE_URL = env("LERNSTADT_BASE_URL")
# Statistical disclosure control: the smallest count any published number may rest on.
LERNSTADT_DISCLOSURE_MIN_COUNT = int(env("LERNSTADT_DISCLOSURE_MIN_COUNT", "5"))
# Public open data the demo imports where it lies (INKAR, census, Open SDG, VG5000); never copied.
LERNSTADT_OPEN_DATA_DIR = env(
    "LERNSTADT_OPEN_DATA_DIR", str(BASE_DIR.parent.parent / "shared" / "data")
)
# Map tiles: empty by default, so no page asks a third-party host for anything.
LERNSTADT_TILE_URL = env("LERNSTADT_TILE_URL")
LERNSTADT_TILE_ATTRIBUTION = env("LERNSTADT_TILE_ATTRIBUTION")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LERNSTADT_LOG_LEVEL", "WARNING")},
}
