"""Browser fixtures: the machine's Chromium driven by Playwright against pytest-django's live server.

The network is closed and `playwright install` is never run: Debian's chromium is launched
directly. Screenshots go to test-artifacts/ (git-ignored) for people to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API keeps an event loop in the main thread, which makes Django refuse ORM
# calls there (fixture set-up and the flush after each test) unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HAZARDLOOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(settings.BASE_DIR) / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def chromium(django_db_setup):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    outer = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # Playwright's sync API leaves the test code in a new context, where Django's connection
        # handler hands out fresh wrappers without the snapshot the test database was serialized
        # to. Without it `serialized_rollback` restores nothing and, once one transactional test
        # has flushed the tables, the industries of the data migration are gone for the next.
        for alias, wrapper in outer.items():
            inner = connections[alias]
            if inner is not wrapper and hasattr(wrapper, "_test_serialized_contents"):
                inner._test_serialized_contents = wrapper._test_serialized_contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium):
    """open_page(viewport=..., javascript=True) -> a fresh page in its own context (own cookies).
    The browser asks for Chinese, as the district's clerks' browsers do."""
    contexts = []

    def _open(viewport=DESKTOP, javascript=True, locale="zh-CN"):
        context = chromium.new_context(viewport=viewport, locale=locale, java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
        return page

    yield _open
    for context in contexts:
        context.close()
