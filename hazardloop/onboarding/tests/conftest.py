import pytest


@pytest.fixture(autouse=True)
def _sending_not_paused():
    # The demo step pauses sending until its transaction commits; a test's transaction never
    # commits, so put it back for the next test in this process.
    from hazardloop.onboarding import services

    yield
    services._QUIET["on"] = False
