"""Production settings must pass Django's deployment checks, and refuse to start without a key."""

import os
import subprocess
import sys

PRODUCTION_ENV = {
    "HAZARDLOOP_PRODUCTION": "1",
    "SECRET_KEY": "k" * 20 + "-production-test-key-with-enough-entropy-9f3a7c1e",
    "ALLOWED_HOSTS": "hazardloop.example.gov.cn",
    "DEBUG": "0",
    "FIELD_ENCRYPTION_KEY": "bG9uZ2FuLWZpZWxkLWtleS1mb3ItdGhlLWRlcGxveS10ZXN0cw==",
}


def _manage(*args, env):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (Playwright runs an event
    # loop beside Django); a deployment never has it, and check --deploy rightly refuses it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "-m", "hazardloop.cli", *args],
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_key_refuses_to_start():
    result = _manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_without_a_field_encryption_key_refuses_to_start():
    result = _manage("check", env={**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEY": ""})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr
