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

from pokerrt.secret_key import embedded_secret_key

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


def env_header(name: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto`` (meaning ``https``) or ``X-Forwarded-Ssl=on``, as Django's META pair."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    header, _, expected = value.partition("=")
    return "HTTP_" + header.strip().upper().replace("-", "_"), expected.strip() or "https"


# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

# The embedded profile is the one with no real service configured: one
# machine, one process, nothing to share a secret with.
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EVENT_BUS_URL")
EMBEDDED = not any(os.environ.get(name) for name in SERVICE_VARIABLES)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not EMBEDDED:
        # Nodes sharing services must share one key, and a guessable one
        # would let anyone forge sessions: refuse rather than guess.
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set and real services are configured ("
            + ", ".join(name for name in SERVICE_VARIABLES if os.environ.get(name))
            + "). Set DJANGO_SECRET_KEY to the same long random string on every node, "
            "for example the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = embedded_secret_key(VAR_DIR / "secret_key")

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
    "drf_spectacular_sidecar",
    "django_filters",
    "channels",
    "pokerrt.accounts",
    "pokerrt.realtime",
    "pokerrt.timers",
    "pokerrt.bus",
    "lobby",
    "tables",
    "tournament",
    "pokerrt.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pokerrt.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# --- HTTPS and what browsers may do -------------------------------------------
# With debug off, everything is on; each switch is for a deliberate plain-HTTP
# run (a club's LAN server), never a public one. docs/security.md explains.

# Behind a proxy that terminates TLS, the header it sets to say so; only with a
# proxy that overwrites it, or clients could claim HTTPS themselves.
SECURE_PROXY_SSL_HEADER = env_header("POKERRT_SECURE_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = env_bool("POKERRT_SSL_REDIRECT", not DEBUG)
# Load balancers probe the nodes over plain HTTP and take a redirect as a failure;
# Prometheus scrapes each node directly, behind the proxy that terminates TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("POKERRT_SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_int("POKERRT_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
# Both reach beyond this site (its subdomains; browsers' built-in lists), so
# only the operator can turn them on.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("POKERRT_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("POKERRT_HSTS_PRELOAD", False)
# Scripts, styles and connections from this site only, no inline code, no
# framing. Off in debug: Django's debug pages are inline styles and scripts.
POKERRT_CSP = (
    os.environ.get(
        "POKERRT_CSP_POLICY",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    if env_bool("POKERRT_CSP", not DEBUG)
    else ""
)

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
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Parameters bound by the server, not quoted into the SQL by psycopg
        # in the node, and a statement a connection runs five times prepared:
        # parsed and planned once. The betting action's few statements run
        # thousands of times a minute. Django turns psycopg's prepared
        # statements off (for poolers in transaction mode); the same switch
        # turns both off.
        server_side_binding = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=server_side_binding, prepare_threshold=5 if server_side_binding else None
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "pokerrt.sqlite3",  # Django's, writers queued (pokerrt/sqlite3/base.py)
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
STATICFILES_DIRS = [BASE_DIR / "static"]
# The embedded profile serves its styles without a collectstatic step.
WHITENOISE_USE_FINDERS = DEBUG or EMBEDDED

# --- Channels -------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
# "pubsub" (channels_redis.pubsub) or "core" (channels_redis.core), each as
# pokerrt.realtime.redis_layers fits it for reconnect storms; see README.md
# and the fan-out benchmark in loadtest/.
CHANNEL_LAYER_KIND = os.environ.get("POKERRT_CHANNEL_LAYER", "pubsub")
# Redis connections a node's layer opens for its commands and publishes (the
# Pub/Sub layer's subscriptions use one more); past it, commands wait for a
# free one, up to the pool timeout in seconds.
CHANNEL_LAYER_POOL = {
    "max_connections": env_int("POKERRT_CHANNEL_LAYER_CONNECTIONS", 100),
    "pool_timeout": float(os.environ.get("POKERRT_CHANNEL_LAYER_POOL_TIMEOUT", 20)),
}
# Redis Pub/Sub channels are server-wide (not per database number): two
# deployments sharing one Redis need their own prefix, or table 17 of one
# hears table 17 of the other.
CHANNEL_PREFIX = os.environ.get("POKERRT_CHANNEL_PREFIX", "asgi")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": (
                "pokerrt.realtime.redis_layers.RedisChannelLayer"
                if CHANNEL_LAYER_KIND == "core"
                # Batched joins, unlocked publishes, each socket's queue a Mailbox (pokerrt/realtime/redis_layers.py).
                else "pokerrt.realtime.redis_layers.RedisPubSubChannelLayer"
            ),
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 30, "prefix": CHANNEL_PREFIX,
                       **CHANNEL_LAYER_POOL}
            if CHANNEL_LAYER_KIND == "core"
            else {"hosts": [REDIS_URL], "prefix": CHANNEL_PREFIX, **CHANNEL_LAYER_POOL},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "pokerrt.realtime.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000, "expiry": 30},
        }
    }

# --- Cache ------------------------------------------------------------------------------

# What is cached is counted across requests (the log-in and sign-up limits),
# so with several nodes it must live in Redis, where they all see it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "pokerrt",
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_PREFIX": "pokerrt",
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
    "bus-dedupe-retention": {
        "task": "bus.forget_processed_messages",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
}
# What the in-process loop runs periodically when there is no Celery beat:
# (dotted function path, seconds between runs).
POKERRT_HOUSEKEEPING = [
    ("pokerrt.realtime.streams.prune_journal", 3600),
    ("pokerrt.bus.commands.forget_processed_messages", 3600),
]
# Seconds between reconciler passes (docs/sync.md); 0 turns the reconciler off.
SYNC_INTERVAL = float(os.environ.get("POKERRT_SYNC_INTERVAL", 30))
if SYNC_INTERVAL > 0:
    CELERY_BEAT_SCHEDULE["sync-reconcile"] = {
        "task": "realtime.reconcile",
        "schedule": SYNC_INTERVAL,
        "options": {"expires": SYNC_INTERVAL},
    }
    POKERRT_HOUSEKEEPING.append(("pokerrt.realtime.reconcile.reconcile_pass", SYNC_INTERVAL))

# --- RabbitMQ event bus (pika bridge) -------------------------------------------

EVENT_BUS_URL = os.environ.get("EVENT_BUS_URL", "")
EVENT_BUS_EXCHANGE = os.environ.get("EVENT_BUS_EXCHANGE", "pokerrt.events")
# PLAYER streams carry one user's private view (hole cards, balance): they
# leave the platform only when this is on.
EVENT_BUS_PUBLISH_PRIVATE = env_bool("EVENT_BUS_PUBLISH_PRIVATE", False)
# The relay (manage.py relay_events): events per publish-and-confirm batch,
# seconds a stream's lease lasts without renewal, seconds between looks at an
# idle journal, the longest wait between retries while RabbitMQ is away.
EVENT_BUS_RELAY_BATCH = env_int("EVENT_BUS_RELAY_BATCH", 500)
EVENT_BUS_RELAY_LEASE_SECONDS = float(os.environ.get("EVENT_BUS_RELAY_LEASE_SECONDS", 60))
EVENT_BUS_RELAY_POLL_SECONDS = float(os.environ.get("EVENT_BUS_RELAY_POLL_SECONDS", 0.1))
EVENT_BUS_RETRY_CAP_SECONDS = float(os.environ.get("EVENT_BUS_RETRY_CAP_SECONDS", 30))
# Retention keeps unpublished events for the relay, but not for ever: past
# this many hours they are deleted anyway, with an error in the log.
EVENT_BUS_RETENTION_HARD_HOURS = float(os.environ.get("EVENT_BUS_RETENTION_HARD_HOURS", 168))
# /readyz flags the relay as behind when its oldest unpublished event is older.
EVENT_BUS_LAG_ALERT_SECONDS = float(os.environ.get("EVENT_BUS_LAG_ALERT_SECONDS", 60))
# The inbound consumer (manage.py consume_events): the exchange services send
# commands to, the durable queue bound to it, where refused commands go, and
# how many unacknowledged messages it holds at once.
EVENT_BUS_COMMANDS_EXCHANGE = os.environ.get("EVENT_BUS_COMMANDS_EXCHANGE", "pokerrt.commands")
EVENT_BUS_COMMANDS_QUEUE = os.environ.get("EVENT_BUS_COMMANDS_QUEUE", "pokerrt.commands")
EVENT_BUS_DEAD_LETTER_EXCHANGE = os.environ.get("EVENT_BUS_DEAD_LETTER_EXCHANGE", "pokerrt.commands.dead")
EVENT_BUS_PREFETCH = env_int("EVENT_BUS_PREFETCH", 10)
# Days a processed command's message_id is remembered: the same message sent
# again within them changes nothing.
EVENT_BUS_DEDUPE_DAYS = float(os.environ.get("EVENT_BUS_DEDUPE_DAYS", 7))

# --- Metrics (docs/metrics.md) -----------------------------------------------------------

# Prometheus reads /metrics with "Authorization: Bearer <this>"; empty: no
# token works (staff sessions and this host still do). PROMETHEUS_MULTIPROC_DIR
# is read by prometheus-client itself, from the environment.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

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
    # The listening sockets' backlog (pokerrt.realtime.server), capped by the
    # kernel's net.core.somaxconn: room for a reconnect storm's SYNs, where
    # Twisted's default of 50 drops them and clients retry after 1, 3, 7 s...
    "LISTEN_BACKLOG": env_int("POKERRT_LISTEN_BACKLOG", 1024),
    # Seconds Daphne gives a consumer to accept a handshake (its own default:
    # 5). In a reconnect storm connects queue for the database; one refused
    # comes straight back as one more.
    "HANDSHAKE_TIMEOUT": env_int("POKERRT_HANDSHAKE_TIMEOUT", 30),
    # Threads of a node for SUBSCRIBE's reads (the access check, a replay) on
    # PostgreSQL, beside the one sync thread everything else queues on
    # (pokerrt.realtime.readers); SQLite reads on the sync thread.
    "SUBSCRIBE_READERS": env_int("POKERRT_SUBSCRIBE_READERS", 4),
    # Threads that run the clients' commands on PostgreSQL, each with its own
    # connection, so that their round trips overlap (pokerrt.realtime.readers);
    # SQLite runs them on the sync thread, where its one writer is anyway.
    "COMMAND_THREADS": env_int("POKERRT_COMMAND_THREADS", 4),
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
    # Seconds between a node's SYNC frames (the state digest of each stream a
    # socket asked digests of, docs/realtime.md); 0 sends none.
    "DIGEST_INTERVAL": float(os.environ.get("POKERRT_DIGEST_INTERVAL", 30)),
    # Seconds a socket's credential is trusted between checks against the
    # database; revocations Django writes are pushed at once, this bounds
    # the rest (a session's expiry, a push lost). 0 checks every command.
    "CREDENTIAL_RECHECK": float(os.environ.get("POKERRT_CREDENTIAL_RECHECK", 60)),
    # Seconds between a node's journal tail passes (docs/realtime.md): each
    # stream its sockets follow is compared with the journal, and a socket
    # behind for TAIL_GRACE seconds is given what its broadcast never
    # brought (the channel layer was away); 0: no tail.
    "TAIL_INTERVAL": float(os.environ.get("POKERRT_TAIL_INTERVAL", 1)),
    "TAIL_GRACE": float(os.environ.get("POKERRT_TAIL_GRACE", 1)),
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

# Limits on guessing passwords and on minting accounts (and their chips), as
# "count/period" (10/15m, 30/1h) or "off"; README.md says why these numbers.
POKERRT_THROTTLES = {
    # Failed log-ins per username (ignoring case and width), from anywhere.
    "login_username": os.environ.get("POKERRT_LOGIN_RATE_PER_USERNAME", "10/15m"),
    # Failed log-ins per client address, whatever the usernames.
    "login_address": os.environ.get("POKERRT_LOGIN_RATE_PER_ADDRESS", "30/15m"),
    # Accounts created per client address.
    "signup_address": os.environ.get("POKERRT_SIGNUP_RATE_PER_ADDRESS", "10/1h"),
    # REST API requests per logged-in user, and per client address (docs/api.md).
    "api_user": os.environ.get("POKERRT_API_RATE_PER_USER", "600/1m"),
    "api_address": os.environ.get("POKERRT_API_RATE_PER_ADDRESS", "1200/1m"),
}
# Proxies (load balancers) in front of the nodes that append to
# X-Forwarded-For: the client's address is that many entries from its end.
POKERRT_TRUSTED_PROXIES = env_int("POKERRT_TRUSTED_PROXIES", 0)

# --- REST framework -----------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "pokerrt.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # {"code", "message", "details"} for every error, by the socket's codes (docs/api-errors.md).
    "EXCEPTION_HANDLER": "pokerrt.api_errors.handle",
    "DEFAULT_THROTTLE_CLASSES": ["pokerrt.api_throttles.PerUserThrottle", "pokerrt.api_throttles.PerAddressThrottle"],
    "DEFAULT_PAGINATION_CLASS": "pokerrt.rest.Page",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "pokerrt API",
    "DESCRIPTION": "REST API of the pokerrt real-time poker platform.",
    "VERSION": "1",
    # Swagger UI from our own static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies and responses described apart: a read-only field is not asked for.
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation may answer the one error format (pokerrt/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pokerrt.api_schema.add_error_responses",
    ],
    # One name per choice set that several apps call "kind" or "status".
    "ENUM_NAME_OVERRIDES": {
        "TableKindEnum": "tables.models.TableKind",
        "TableStatusEnum": "tables.models.TableStatus",
        "TournamentKindEnum": "tournament.models.TournamentKind",
        "TournamentStatusEnum": "tournament.models.TournamentStatus",
        "HandStatusEnum": "tables.models.HandStatus",
    },
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
