"""Daybook's one settings module, driven by environment variables.

Defaults are the safe production choice; `make run` and `make test` turn off what a
local demo over plain HTTP cannot use (for example secure cookies) explicitly.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from daybook.env import env_bool, env_int, env_list, env_secret, env_str
from daybook.proxies import ProxyListError, parse_networks
from daybook.public import helplines

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DAYBOOK_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_secret("DAYBOOK_SECRET_KEY")
DEBUG = env_bool("DAYBOOK_DEBUG", False)
ALLOWED_HOSTS = env_list("DAYBOOK_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
HTTPS = env_bool("DAYBOOK_HTTPS", True)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "daybook.ui",
    "daybook.accounts",
    "daybook.audit",
    "daybook.public",
    "daybook.cases",
    "daybook.casework",
    "daybook.incidents",
    "daybook.risk",
    "daybook.reports",
    "daybook.sharing",
    "daybook.police",
    "daybook.imports",
    "daybook.insights",
    "daybook.drafts",
    "daybook.erasure",
    "daybook.retention",
    "daybook.subject_access",
    "daybook.workers",
    "daybook.health",
    "daybook.backups",
]

MIDDLEWARE = [
    "daybook.health.middleware.HealthCheckMiddleware",  # first: see its docstring
    # Before anything reads whether the request came over HTTPS.
    "daybook.public.middleware.UntrustedForwardingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "daybook.public.middleware.DiscretionHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "daybook.public.middleware.NoReferrerCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # In place of allauth's UserSessionsMiddleware, which writes on every request.
    "daybook.accounts.activity.SessionActivityMiddleware",
    "daybook.accounts.middleware.StaffMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "daybook.drafts.middleware.DraftSentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside CSP's middleware, so the page it draws gets a nonce for its scripts.
    "daybook.ui.middleware.BlankErrorPagesMiddleware",
]

# security.W003 looks for Django's CSRF middleware by its exact name; Daybook's is a subclass
# of it (daybook/public/middleware.py, held to that by tests/test_settings.py).
SILENCED_SYSTEM_CHECKS = ["security.W003"]

ROOT_URLCONF = "daybook.urls"
WSGI_APPLICATION = "daybook.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["daybook.ui.templatetags.govuk"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "daybook.public.context_processors.service",
                "daybook.accounts.context_processors.navigation",
            ],
        },
    },
]

# Databases: SQLite (embedded default, WAL) or PostgreSQL via DAYBOOK_DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DAYBOOK_DATABASE_URL", f"sqlite:///{VAR_DIR / 'daybook.sqlite3'}"),
        conn_max_age=env_int("DAYBOOK_DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept between requests (DAYBOOK_DATABASE_CONN_MAX_AGE), as on PostgreSQL:
    # opening one per request, with the PRAGMAs below, cost more server time than a whole
    # minimal signed-in page and a quarter of an average one (docs/scaling.md).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers carry on during a write; IMMEDIATE takes the write lock at
        # the start of a transaction so concurrent appends queue instead of failing.
        # secure_delete overwrites deleted rows with zeros, so an erased case's pages do not
        # linger in the file (docs/erasure.md).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Tests use a file, not memory: concurrency and at-rest checks need real SQLite files.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-database.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # In the database so rate limits hold across several app processes and hosts.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "daybook_cache",
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "daybook.accounts.backends.SignInBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "public:start"

ACCOUNT_ADAPTER = "daybook.accounts.adapter.AccountAdapter"
USERSESSIONS_ADAPTER = "daybook.accounts.adapter.UserSessionsAdapter"
MFA_ADAPTER = "daybook.accounts.adapter.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("DAYBOOK_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("DAYBOOK_REAUTHENTICATION_SECONDS", 300, minimum=30)
# Wrong passwords slow whoever guesses without locking the owner out: the per-address limit
# pauses passwords for that address, and the owner can still sign in with a code sent to it,
# which a guesser cannot read. The per-address limit is counted first, so guessing at one
# address never spends the allowance of everyone on a shared network (a refuge's, a
# library's); only trying many addresses from one network does.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# Behind a proxy every request comes from the proxy's address, and one limit would hold for
# everyone: the load balancers and reverse proxies in front of Daybook (addresses or networks)
# are named here, and the client's address is read from the X-Forwarded-For they add, for
# rate limits, audit rows and sessions alike (daybook/proxies.py, docs/scaling.md). allauth's
# ALLAUTH_TRUSTED_PROXY_COUNT is left at 0: Daybook's adapter answers for it.
try:
    DAYBOOK_TRUSTED_PROXIES = parse_networks(env_list("DAYBOOK_TRUSTED_PROXIES", []))
except ProxyListError as error:
    raise ImproperlyConfigured(f"DAYBOOK_TRUSTED_PROXIES: {error}") from None
if env_bool("DAYBOOK_BEHIND_PROXY", False) and not DAYBOOK_TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "DAYBOOK_BEHIND_PROXY is true: set DAYBOOK_TRUSTED_PROXIES to the proxies' addresses, "
        "or every rate limit and audit row will hold the proxy's address."
    )
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_RATE_LIMITS = {
    "login": "120/m/ip",
    "login_failed": "5/300s/key,60/m/ip",
    # A minute's wait at most for the owner, so asking for codes cannot keep them out.
    "request_login_code": "3/m/key,30/m/ip",
    # Daybook's own: referrals sent through the public self-referral form, per network.
    "self_referral": "10/h/ip",
    "reset_password": "10/m/ip,3/10m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "10/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/10s/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("DAYBOOK_SERVICE_NAME", "Daybook")
MFA_RATE_LIMITS = {"authenticate": "5/m/user", "reauthenticate": "10/m/user"}
# The list of sessions shows when each was last used; Daybook's middleware records it at most
# once in this many seconds per session (daybook/accounts/activity.py), not on every request.
USERSESSIONS_TRACK_ACTIVITY = True
DAYBOOK_SESSION_ACTIVITY_SECONDS = env_int("DAYBOOK_SESSION_ACTIVITY_SECONDS", 300)
# Daybook's own labels and the optional "What should we call you?" at sign-up.
ACCOUNT_FORMS = {
    "login": "daybook.accounts.forms.LoginForm",
    "signup": "daybook.accounts.forms.SignupForm",
    "change_password": "daybook.accounts.forms.ChangePasswordForm",
    "set_password": "daybook.accounts.forms.SetPasswordForm",
    "reset_password": "daybook.accounts.forms.ResetPasswordForm",
    "request_login_code": "daybook.accounts.forms.RequestLoginCodeForm",
    "confirm_login_code": "daybook.accounts.forms.ConfirmLoginCodeForm",
    "reset_password_from_key": "daybook.accounts.forms.ResetPasswordKeyForm",
    "add_email": "daybook.accounts.forms.AddEmailForm",
    "reauthenticate": "daybook.accounts.forms.ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": "daybook.accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "daybook.accounts.forms.MFAReauthenticateForm",
    "activate_totp": "daybook.accounts.forms.ActivateTOTPForm",
}

# Messages ("Added to the log") live in the session, never in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("DAYBOOK_SESSION_SECONDS", 4 * 60 * 60, minimum=300)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A form sent after its page expired (often Back after Exit this page) gets a kind page.
CSRF_FAILURE_VIEW = "daybook.ui.views.csrf_failure"

# HTTPS-only protections; `make run` serves plain HTTP on loopback and turns these off.
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("DAYBOOK_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Lets the domain be put on browsers' HTTPS-only list, so even a first visit from a shared or
# watched network cannot be downgraded. A service whose other subdomains are not HTTPS-only yet
# turns it off until they are (docs/operators.md).
SECURE_HSTS_PRELOAD = HTTPS and env_bool("DAYBOOK_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DAYBOOK_BEHIND_PROXY", False) else None
)
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# E-mail: console under `make run`, SMTP in deployment.
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}[env_str("DAYBOOK_EMAIL", "smtp")]
EMAIL_HOST = env_str("DAYBOOK_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DAYBOOK_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("DAYBOOK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("DAYBOOK_EMAIL_PASSWORD", required=False)
EMAIL_USE_TLS = env_bool("DAYBOOK_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DAYBOOK_EMAIL_FROM", "no-reply@localhost")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("DAYBOOK_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Evidence is sealed before it reaches storage and is never served from it directly.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "evidence", "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Evidence, reports, subject access copies and uploaded exports on S3-compatible object
# storage instead (docs/storage.md). They are sealed with their case's key before upload and
# only ever served by Daybook's own views once opened: no object is public, and no address of
# the store is ever given to a browser.
DAYBOOK_STORAGE = env_str("DAYBOOK_STORAGE", "file")
_storage_problem = ""
if DAYBOOK_STORAGE not in ("file", "s3"):
    _storage_problem = f"DAYBOOK_STORAGE must be 'file' or 's3', not {DAYBOOK_STORAGE!r}."
if DAYBOOK_STORAGE == "s3":
    from boto3.s3.transfer import TransferConfig  # type: ignore[import-untyped]

    # Without keys, boto3 finds the machine's own credentials (an instance or pod role).
    _s3_access_key = env_secret("DAYBOOK_S3_ACCESS_KEY_ID", required=False)
    _s3_secret_key = env_secret("DAYBOOK_S3_SECRET_ACCESS_KEY", required=False)
    _s3_addressing = env_str("DAYBOOK_S3_ADDRESSING_STYLE", "auto")
    if bool(_s3_access_key) != bool(_s3_secret_key):
        _storage_problem = (
            "Set both DAYBOOK_S3_ACCESS_KEY_ID_FILE and DAYBOOK_S3_SECRET_ACCESS_KEY_FILE, "
            "or neither to use the machine's own role."
        )
    if _s3_addressing not in ("auto", "path", "virtual"):
        _storage_problem = "DAYBOOK_S3_ADDRESSING_STYLE must be 'auto', 'path' or 'virtual'."
    # Uploads go in 8 MiB parts, four at a time and at most four read ahead of the upload
    # (boto3 reads ten ahead, and its constructor does not take this one): a worker holds a
    # few tens of MiB per upload, whatever the file's size.
    _s3_transfer = TransferConfig(
        multipart_threshold=8 << 20, multipart_chunksize=8 << 20, max_concurrency=4
    )
    _s3_transfer.max_in_memory_upload_chunks = 4
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("DAYBOOK_S3_BUCKET"),
            "endpoint_url": env_str("DAYBOOK_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("DAYBOOK_S3_REGION", "") or None,
            "addressing_style": _s3_addressing,
            "access_key": _s3_access_key or None,
            "secret_key": _s3_secret_key or None,
            # No ACL is sent: objects are the bucket owner's alone (and buckets that refuse
            # ACLs, as new AWS buckets do, accept the upload). Any address made is signed.
            "default_acl": None,
            "querystring_auth": True,
            "custom_domain": None,
            # A name already taken is never written over: a new file gets a new name (and the
            # services refuse a renamed evidence file).
            "file_overwrite": False,
            # Every object is sealed bytes; no type guessed from a name, no gzip encoding.
            "object_parameters": {"ContentType": "application/octet-stream"},
            "gzip": False,
            # A file opened for reading is downloaded into a temporary file that moves to disk
            # past this size, rather than held whole in memory (the default keeps it there).
            "max_memory_size": 8 << 20,
            "transfer_config": _s3_transfer,
        },
    }
if _storage_problem:
    from django.core.exceptions import ImproperlyConfigured as _Improper

    raise _Improper(_storage_problem)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DAYBOOK_LOG_LEVEL", "INFO")},
    # Request logs carry paths and query strings only; never bodies, names or narratives.
    "loggers": {
        "django.security.DisallowedHost": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}

# What a service sets about itself.
DAYBOOK_SERVICE_NAME = env_str("DAYBOOK_SERVICE_NAME", "Daybook")
DAYBOOK_SERVICE_PHONE = env_str("DAYBOOK_SERVICE_PHONE", "0800 000 0000")
DAYBOOK_SERVICE_EMAIL = env_str("DAYBOOK_SERVICE_EMAIL", "support@daybook.invalid")
DAYBOOK_SERVICE_HOURS = env_str("DAYBOOK_SERVICE_HOURS", "Monday to Friday, 9am to 5pm")
# Where the service is (ISO 3166 alpha-2): imported phone numbers written without a country
# code are read as numbers of this country; ones not valid there are kept as written.
DAYBOOK_REGION = env_str("DAYBOOK_REGION", "GB")
# National helplines on "Get help": the defaults in daybook/public/helplines.py, or a JSON
# file of the service's own choosing (read here so that a mistake in it stops start-up).
DAYBOOK_HELPLINES = helplines.load(env_str("DAYBOOK_HELPLINES_FILE", ""))
# Stalking screening: how many "yes" answers point to medium and to high risk. There is no
# national cut-off; each service sets its own. Professional judgement may raise the level.
DAYBOOK_RISK_MEDIUM_AT = env_int("DAYBOOK_RISK_MEDIUM_AT", 3, minimum=1)
DAYBOOK_RISK_HIGH_AT = env_int("DAYBOOK_RISK_HIGH_AT", 6, minimum=1)
DAYBOOK_IMPORT_MAX_BYTES = env_int("DAYBOOK_IMPORT_MAX_BYTES", 200_000_000, minimum=1)
DAYBOOK_REPORT_HOURS = env_int("DAYBOOK_REPORT_HOURS", 24, minimum=1)
DAYBOOK_EVIDENCE_MAX_BYTES = env_int("DAYBOOK_EVIDENCE_MAX_BYTES", 50_000_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000_000
FILE_UPLOAD_PERMISSIONS = 0o600
DAYBOOK_EXIT_URL = env_str("DAYBOOK_EXIT_URL", "https://www.bbc.co.uk/weather")
