"""The one environment-driven settings module and its profiles."""

import json
import os
import subprocess
import sys

from tests.live import REPO

PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'db': settings.DATABASES['default']['ENGINE'], "
    "'db_name': str(settings.DATABASES['default']['NAME']), "
    "'layer': settings.CHANNEL_LAYERS['default']['BACKEND'], "
    "'timers': settings.TIMERS_BACKEND, 'bus': settings.EVENT_BUS_URL, "
    "'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, "
    "'sqlite_opts': settings.DATABASES['default'].get('OPTIONS', {}).get('init_command', ''), "
    "'binding': settings.DATABASES['default'].get('OPTIONS', {}).get('server_side_binding'), "
    "'prepare': settings.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold')}))"
)
PROFILE_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EVENT_BUS_URL", "DJANGO_DEBUG",
                "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "POKERRT_TIMERS", "POKERRT_SQLITE_PATH",
                "DATABASE_SERVER_SIDE_BINDING")


def load_settings(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in PROFILE_VARS}
    clean.update(DJANGO_SETTINGS_MODULE="pokerrt.settings", POKERRT_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_embedded_profile_with_no_variables(tmp_path):
    result = load_settings(tmp_path, DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["db"] == "pokerrt.sqlite3"
    assert loaded["db_name"].startswith(str(tmp_path))
    assert "journal_mode=WAL" in loaded["sqlite_opts"]
    assert loaded["layer"] == "pokerrt.realtime.layers.InMemoryChannelLayer"
    assert loaded["timers"] == "inprocess"
    assert loaded["bus"] == ""


def test_services_profile_from_the_environment(tmp_path):
    result = load_settings(
        tmp_path, DJANGO_SECRET_KEY="s3cret-for-this-test", DJANGO_ALLOWED_HOSTS="poker.example,api.example",
        DATABASE_URL="postgres://poker@db.internal:5432/pokerrt", REDIS_URL="redis://cache:6379/0",
        CELERY_BROKER_URL="amqp://guest:guest@mq:5672//", EVENT_BUS_URL="amqp://guest:guest@mq:5672//",
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["db"] == "django.db.backends.postgresql"
    assert loaded["db_name"] == "pokerrt"
    assert loaded["layer"] == "pokerrt.realtime.redis_layers.RedisPubSubChannelLayer"
    assert loaded["timers"] == "celery"
    assert loaded["bus"].startswith("amqp://")
    assert loaded["debug"] is False
    assert loaded["hosts"] == ["poker.example", "api.example"]
    assert loaded["binding"] is True
    assert loaded["prepare"] == 5


def test_postgresql_server_side_binding_may_be_turned_off(tmp_path):
    result = load_settings(tmp_path, DJANGO_SECRET_KEY="s3cret-for-this-test",
                           DATABASE_URL="postgres://poker@db.internal:5432/pokerrt", DATABASE_SERVER_SIDE_BINDING="0")
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["binding"] is False
    assert loaded["prepare"] is None

