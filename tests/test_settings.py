import pytest
from django.core.exceptions import ImproperlyConfigured

from daybook.env import env_bool, env_int, env_secret


@pytest.mark.parametrize("value", ["yes", "1", "True", "on", " true"])
def test_env_bool_rejects_anything_but_true_or_false(monkeypatch, value: str) -> None:
    monkeypatch.setenv("DAYBOOK_X", value)
    with pytest.raises(ImproperlyConfigured):
        env_bool("DAYBOOK_X", False)


def test_env_bool_reads_true_false_and_default(monkeypatch) -> None:
    monkeypatch.setenv("DAYBOOK_X", "true")
    assert env_bool("DAYBOOK_X", False) is True
    monkeypatch.setenv("DAYBOOK_X", "false")
    assert env_bool("DAYBOOK_X", True) is False
    monkeypatch.delenv("DAYBOOK_X")
    assert env_bool("DAYBOOK_X", True) is True


def test_env_int_rejects_words_and_small_numbers(monkeypatch) -> None:
    monkeypatch.setenv("DAYBOOK_N", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("DAYBOOK_N", 1)
    monkeypatch.setenv("DAYBOOK_N", "5")
    with pytest.raises(ImproperlyConfigured):
        env_int("DAYBOOK_N", 1, minimum=30)


def test_secret_from_file_and_never_both(monkeypatch, tmp_path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("abc\n")
    monkeypatch.delenv("DAYBOOK_S", raising=False)
    monkeypatch.setenv("DAYBOOK_S_FILE", str(secret))
    assert env_secret("DAYBOOK_S") == "abc"
    monkeypatch.setenv("DAYBOOK_S", "inline")
    with pytest.raises(ImproperlyConfigured):
        env_secret("DAYBOOK_S")


def test_missing_secret_stops_start_up(monkeypatch) -> None:
    monkeypatch.delenv("DAYBOOK_S", raising=False)
    monkeypatch.delenv("DAYBOOK_S_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured):
        env_secret("DAYBOOK_S")


def test_the_csrf_check_silenced_for_deployment_is_still_made() -> None:
    """security.W003 is silenced only because Daybook's CSRF middleware is Django's, refined."""
    from django.conf import settings
    from django.middleware.csrf import CsrfViewMiddleware
    from django.utils.module_loading import import_string

    assert "security.W003" in settings.SILENCED_SYSTEM_CHECKS
    classes = {name: import_string(name) for name in settings.MIDDLEWARE}
    csrf = [
        name
        for name, middleware in classes.items()
        if isinstance(middleware, type) and issubclass(middleware, CsrfViewMiddleware)
    ]
    assert csrf == ["daybook.public.middleware.NoReferrerCsrfViewMiddleware"]
