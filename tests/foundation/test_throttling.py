"""The attempt counter behind the log-in and sign-up limits, and whom it counts."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from pokerrt import throttling
from pokerrt.throttling import Rate, Throttle, client_address
from tests.foundation.test_settings import PROFILE_VARS
from tests.live import REPO
from tests.services import REDIS_URL


@pytest.fixture
def clock(monkeypatch):
    moment = [1_800_000_000.0]
    monkeypatch.setattr(throttling, "now", lambda: moment[0])
    return moment


@pytest.mark.parametrize(
    "text, rate",
    [("10/15m", Rate(10, 900)), ("30/h", Rate(30, 3600)), (" 5 / 2d ", Rate(5, 172800)),
     ("0/1s", Rate(0, 1)), ("off", None), ("OFF", None)],
)
def test_rates_are_written_count_per_period(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["10", "10/15", "10/0m", "ten/m", "10/15 minutes", "-1/m", ""])
def test_a_rate_that_does_not_parse_is_a_configuration_error(text):
    with pytest.raises(ImproperlyConfigured):
        Rate.parse(text)


def test_a_mistyped_rate_stops_the_start(settings):
    settings.POKERRT_THROTTLES = {**settings.POKERRT_THROTTLES, "login_address": "30 per hour"}
    with pytest.raises(ImproperlyConfigured):
        apps.get_app_config("accounts").ready()


def test_attempts_over_the_limit_wait_for_the_next_window(clock):
    throttle = Throttle("test", Rate(2, 60))
    assert [throttle.take("x").wait for _ in range(3)] == [0, 0, 60]
    assert throttle.take("y").wait == 0
    clock[0] += 45
    assert throttle.take("x").wait == 15
    clock[0] += 15
    assert throttle.take("x").wait == 0


def test_an_attempt_given_back_or_cleared_no_longer_counts(clock):
    throttle = Throttle("test", Rate(2, 60))
    throttle.take("x")
    throttle.take("x").give_back()
    assert throttle.take("x").wait == 0
    throttle.take("x").clear()
    assert [throttle.take("x").wait for _ in range(3)] == [0, 0, 60]


def test_no_rate_means_no_limit(clock):
    throttle = Throttle("test", None)
    assert all(throttle.take("x").wait == 0 for _ in range(100))


def request_from(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.POKERRT_TRUSTED_PROXIES = 0
    assert client_address(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


def test_behind_trusted_proxies_the_client_is_counted_not_the_proxy(settings):
    settings.POKERRT_TRUSTED_PROXIES = 1
    # What the client claimed itself comes first; the proxy appends what it saw.
    assert client_address(request_from("10.0.0.2", "198.51.100.1, 203.0.113.9")) == "203.0.113.9"
    assert client_address(request_from("10.0.0.2")) == "10.0.0.2"
    settings.POKERRT_TRUSTED_PROXIES = 2
    assert client_address(request_from("10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"


def test_an_ipv6_client_is_counted_by_its_64_block(settings):
    settings.POKERRT_TRUSTED_PROXIES = 0
    one = client_address(request_from("2001:db8:1:2:aaaa::1"))
    other = client_address(request_from("2001:db8:1:2:bbbb::9"))
    assert one == other == "2001:db8:1:2::/64"
    assert client_address(request_from("::ffff:192.0.2.1")) == "192.0.2.1"


CACHE_PROBE = "import json; from django.conf import settings; print(json.dumps(settings.CACHES['default']))"


@pytest.mark.parametrize(
    "env, backend",
    [({}, "django.core.cache.backends.locmem.LocMemCache"),
     ({"REDIS_URL": "redis://cache:6379/0", "DJANGO_SECRET_KEY": "s3cret-for-this-test"},
      "django.core.cache.backends.redis.RedisCache")],
)
def test_the_counts_live_where_every_node_sees_them(tmp_path, env, backend):
    clean = {k: v for k, v in os.environ.items() if k not in PROFILE_VARS}
    clean.update(DJANGO_SETTINGS_MODULE="pokerrt.settings", POKERRT_VAR_DIR=str(tmp_path), **env)
    result = subprocess.run([sys.executable, "-c", CACHE_PROBE], cwd=REPO, env=clean,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["BACKEND"] == backend


@pytest.mark.redis
def test_attempts_are_counted_in_redis(settings, clock):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": f"pokerrt-test-{uuid.uuid4().hex}"}}
    throttle = Throttle("test", Rate(2, 60))
    assert [throttle.take("x").wait for _ in range(3)] == [0, 0, 60]
    throttle.take("x").give_back()
    assert throttle.take("x").wait == 60
    throttle.take("x").clear()
    assert throttle.take("x").wait == 0
