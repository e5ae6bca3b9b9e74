"""The secret key: made once for the embedded profile, required when services are shared."""

import json
import os
import stat
import subprocess
import sys
import threading

import pytest

from pokerrt.secret_key import embedded_secret_key
from tests.foundation.test_settings import PROFILE_VARS
from tests.live import REPO

KEY_PROBE = "import json; from django.conf import settings; print(json.dumps(settings.SECRET_KEY))"


def run(tmp_path, args, **env):
    """``python args`` in a fresh shell: only ``env`` and the var dir set, nothing from the tests."""
    clean = {k: v for k, v in os.environ.items() if k not in PROFILE_VARS and k != "DJANGO_SETTINGS_MODULE"}
    clean.update(POKERRT_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, *args], cwd=REPO, env=clean, capture_output=True, text=True, timeout=120)


def secret_key_of(tmp_path, **env):
    result = run(tmp_path, ["-c", KEY_PROBE], DJANGO_SETTINGS_MODULE="pokerrt.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_embedded_profile_makes_a_private_key_once_whatever_debug_says(tmp_path):
    # when
    made = secret_key_of(tmp_path, DJANGO_DEBUG="1")
    # then
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == made
    assert len(made) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret_key_of(tmp_path) == made
    assert secret_key_of(tmp_path, DJANGO_DEBUG="0") == made


@pytest.mark.parametrize(
    "service, url, debug",
    [
        ("DATABASE_URL", "postgres://poker@db.internal:5432/pokerrt", "0"),
        ("DATABASE_URL", "postgres://poker@db.internal:5432/pokerrt", "1"),
        ("REDIS_URL", "redis://cache:6379/0", "1"),
        ("CELERY_BROKER_URL", "amqp://guest:guest@mq:5672//", "1"),
        ("EVENT_BUS_URL", "amqp://guest:guest@mq:5672//", "1"),
    ],
)
def test_a_configuration_with_a_real_service_refuses_to_start_without_a_key(tmp_path, service, url, debug):
    result = run(tmp_path, ["-c", KEY_PROBE], DJANGO_SETTINGS_MODULE="pokerrt.settings",
                 DJANGO_DEBUG=debug, **{service: url})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert service in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_processes_starting_together_all_get_the_same_key(tmp_path):
    # given
    path = tmp_path / "var" / "secret_key"
    starters = 8
    barrier = threading.Barrier(starters)
    keys: list[str] = []

    def start() -> None:
        barrier.wait(timeout=30)
        keys.append(embedded_secret_key(path))

    threads = [threading.Thread(target=start) for _ in range(starters)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert len(keys) == starters
    assert set(keys) == {path.read_text().strip()}
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]


def test_an_existing_key_file_is_kept_as_it_is(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("a-key-somebody-put-there-on-purpose-0123456789-abcdefghijklmnop\n")
    assert embedded_secret_key(path) == "a-key-somebody-put-there-on-purpose-0123456789-abcdefghijklmnop"


@pytest.mark.slow
def test_the_readme_audit_command_works_in_a_fresh_shell_after_make_run(tmp_path):
    # given: what `make run` did (it exports DJANGO_DEBUG=1)
    command = ".venv/bin/python manage.py audit_chips"
    assert command in (REPO / "README.md").read_text()
    migrated = run(tmp_path, ["manage.py", "migrate", "--no-input", "-v", "0"], DJANGO_DEBUG="1")
    assert migrated.returncode == 0, migrated.stderr
    # when: a plain shell, no DJANGO_DEBUG, no DJANGO_SECRET_KEY
    audited = run(tmp_path, command.split()[1:])
    # then
    assert audited.returncode == 0, audited.stderr
    assert "chips conserved" in audited.stdout
