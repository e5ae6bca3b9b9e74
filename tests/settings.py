"""Test settings: the real settings module, with the variables tests need set.

Every profile variable (DATABASE_URL, REDIS_URL, ...) still comes from the
environment, so the same suite runs on SQLite and on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "pokerrt-tests-only")
# Tests run as production does, whatever the shell says (`make` exports
# DJANGO_DEBUG=1 for `make run`): the live servers they start inherit it.
os.environ["DJANGO_DEBUG"] = "0"
# Tests must never touch the developer's var/pokerrt.sqlite3.
os.environ.setdefault("POKERRT_VAR_DIR", os.path.join(tempfile.gettempdir(), "pokerrt-tests"))
# The test client and the live servers speak plain HTTP; the redirect to
# HTTPS that debug-off settings make by default is tested on its own.
os.environ.setdefault("POKERRT_SSL_REDIRECT", "0")
# No reconciler pass on a clock: tests/sync drives passes directly, and the
# consistency tests run the same rules after every event.
os.environ.setdefault("POKERRT_SYNC_INTERVAL", "0")
# No SYNC frames on a clock either: tests run digest passes themselves
# (pokerrt.realtime.digest_sync.sync_pass).
os.environ.setdefault("POKERRT_DIGEST_INTERVAL", "0")
# Nor journal tail passes: tests run them (pokerrt.realtime.tail.tail_pass).
os.environ.setdefault("POKERRT_TAIL_INTERVAL", "0")

from pokerrt.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# A file, not SQLite's in-memory default, so that the server and worker
# processes that live tests start share the test database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        # One file per test run, so that runs side by side never share one.
        "NAME": os.path.join(os.environ["POKERRT_VAR_DIR"], f"test-{os.getpid()}.sqlite3")
    }

# What the cache counts (the log-in limits) must start from zero in every test
# (tests/conftest.py clears it), and clearing a Redis cache would flush the
# whole database it shares with the channel layer: tests count in local memory.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
