"""docs/operations.md names every environment variable the settings read."""

import re

from django.conf import settings


def test_every_environment_variable_in_settings_is_documented():
    source = (settings.PACKAGE_DIR / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', source))
    read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z0-9_]+)"', source))
    doc = (settings.BASE_DIR / "docs" / "operations.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", doc, flags=re.MULTILINE))
    assert len(read) > 30
    assert not read - documented, f"settings read but not in docs/operations.md: {sorted(read - documented)}"
