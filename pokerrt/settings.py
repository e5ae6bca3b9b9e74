"""pokerrt settings: one module, driven by the environment.

With no variables set this is the *embedded* profile (SQLite in WAL mode under
``var/``, the in-memory channel layer, in-process timers, the RabbitMQ bridge
off). Each service variable switches one part to a real service; README.md has
the table of every setting.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("POKERRT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A production server with a guessable key would let anyone forge
        # sessions; refuse rather than run insecurely.
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off. Set "
            "DJANGO_SECRET_KEY to a long random string (for example the output "
            "of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
            "or set DJANGO_DEBUG=1 for local development (`make run` does)."
        )
    SECRET_KEY = "pokerrt-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "channels",
    "pokerrt.accounts",
    "pokerrt.realtime",
    "pokerrt.timers",
    "lobby",
    "tables",
    "tournament",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pokerrt.urls"
ASGI_APPLICATION = "pokerrt.asgi.application"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("POKERRT_SQLITE_PATH", str(VAR_DIR / "pokerrt.sqlite3")),
            "OPTIONS": {
                # WAL lets readers (snapshots) run beside the one writer;
                # IMMEDIATE takes the write lock at BEGIN, which is SQLite's
                # only way to serialise writers the way select_for_update does
                # on PostgreSQL.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Reopening the file reruns the PRAGMAs on every request.
            "CONN_MAX_AGE": 60,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("POKERRT_PASSWORD_MIN_LENGTH", 8)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []

# --- Channels -------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
# "pubsub" (channels_redis.pubsub) or "core" (channels_redis.core); see
# README.md and the fan-out benchmark in loadtest/.
CHANNEL_LAYER_KIND = os.environ.get("POKERRT_CHANNEL_LAYER", "pubsub")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": (
                "channels_redis.core.RedisChannelLayer"
                if CHANNEL_LAYER_KIND == "core"
                else "channels_redis.pubsub.RedisPubSubChannelLayer"
            ),
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 30}
            if CHANNEL_LAYER_KIND == "core"
            else {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000, "expiry": 30},
        }
    }

# --- Celery and timers ---------------------------------------------------------------

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# Timers: Celery tasks with an eta when a broker is set, an asyncio scheduler
# inside the server process otherwise (pokerrt/timers/).
TIMERS_BACKEND = os.environ.get(
    "POKERRT_TIMERS", "celery" if CELERY_BROKER_URL else "inprocess"
)
TIMERS_SWEEP_SECONDS = env_int("POKERRT_TIMERS_SWEEP_SECONDS", 5)
# Run exactly one `celery -A pokerrt beat`: it sweeps overdue deadlines.
CELERY_BEAT_SCHEDULE = {
    "timers-sweep": {
        "task": "pokerrt.timers.tasks.sweep_deadlines",
        "schedule": float(TIMERS_SWEEP_SECONDS),
        "options": {"expires": float(TIMERS_SWEEP_SECONDS)},
    },
    "journal-retention": {
        "task": "realtime.prune_journal",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
}
# What the in-process loop runs periodically when there is no Celery beat:
# (dotted function path, seconds between runs).
POKERRT_HOUSEKEEPING = [("pokerrt.realtime.streams.prune_journal", 3600)]

# --- RabbitMQ event bus (pika bridge) -------------------------------------------

EVENT_BUS_URL = os.environ.get("EVENT_BUS_URL", "")
EVENT_BUS_EXCHANGE = os.environ.get("EVENT_BUS_EXCHANGE", "pokerrt.events")

# --- Real-time protocol (PROTOCOL.md section 4) ------------------------------------------

POKERRT_REALTIME = {
    "HEARTBEAT_INTERVAL": float(os.environ.get("POKERRT_HEARTBEAT_INTERVAL", 25)),
    "HEARTBEAT_TIMEOUT": float(os.environ.get("POKERRT_HEARTBEAT_TIMEOUT", 60)),
    "MAX_FRAME_BYTES": env_int("POKERRT_MAX_FRAME_BYTES", 64 * 1024),
    "RATE_PER_SECOND": float(os.environ.get("POKERRT_RATE_PER_SECOND", 20)),
    "RATE_BURST": env_int("POKERRT_RATE_BURST", 40),
    # Excess commands tolerated (each answered RATE_LIMITED) before close 4429.
    "RATE_ABUSE_LIMIT": env_int("POKERRT_RATE_ABUSE_LIMIT", 100),
    "OUTGOING_QUEUE_LIMIT": env_int("POKERRT_OUTGOING_QUEUE_LIMIT", 1000),
    # Bytes a socket may hold unsent before its writer waits (pokerrt.realtime.server).
    "SEND_BUFFER_HIGH": env_int("POKERRT_SEND_BUFFER_HIGH", 256 * 1024),
    # Seconds a shutting-down node gives clients to take their 1012 close.
    "SHUTDOWN_GRACE": float(os.environ.get("POKERRT_SHUTDOWN_GRACE", 5)),
    # Seconds between a node's last-seen refreshes; a node not seen for
    # NODE_EXPIRY seconds is dead, and its connection rows are cleared.
    "NODE_HEARTBEAT": float(os.environ.get("POKERRT_NODE_HEARTBEAT", 10)),
    "NODE_EXPIRY": float(os.environ.get("POKERRT_NODE_EXPIRY", 60)),
    # Journal retention per stream: the last N events or T hours, whichever
    # keeps more.
    "RETENTION_EVENTS": env_int("POKERRT_RETENTION_EVENTS", 1000),
    "RETENTION_HOURS": env_int("POKERRT_RETENTION_HOURS", 24),
}

# --- Tables ----------------------------------------------------------------------------

POKERRT_TABLES = {
    # Pause between the end of a hand and the deal of the next one.
    "HAND_INTERVAL_SECONDS": float(os.environ.get("POKERRT_HAND_INTERVAL_SECONDS", 3)),
    # Clock expiries in a row before a player is sat out.
    "TIMEOUTS_BEFORE_SIT_OUT": env_int("POKERRT_TIMEOUTS_BEFORE_SIT_OUT", 2),
    # A cash-game player sitting out this long is stood up and cashed out.
    "SIT_OUT_SECONDS": float(os.environ.get("POKERRT_SIT_OUT_SECONDS", 600)),
    # A disconnected player is sat out when not back within this.
    "DISCONNECT_GRACE_SECONDS": float(os.environ.get("POKERRT_DISCONNECT_GRACE_SECONDS", 120)),
}

# --- Accounts -------------------------------------------------------------------------

# Play-money chips granted to every new account.
POKERRT_STARTING_BALANCE = env_int("POKERRT_STARTING_BALANCE", 10_000)

# --- REST framework -----------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "pokerrt API",
    "DESCRIPTION": "REST API of the pokerrt real-time poker platform.",
    "VERSION": "1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("POKERRT_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}
