"""Secrets are sealed at rest, read back with the current or an earlier key, and never crash a page."""

from __future__ import annotations

from frontoffice.core import sealing


def test_a_sealed_secret_reads_back_and_does_not_show_the_secret():
    stored = sealing.seal("Sekret-123")

    assert stored.startswith(sealing.PREFIX) and "Sekret" not in stored
    assert sealing.unseal(stored) == "Sekret-123"
    assert sealing.seal("Sekret-123") != stored  # a fresh IV each time: equal secrets do not look equal


def test_a_value_written_before_sealing_reads_as_it_is():
    assert sealing.unseal("plain-old-password") == "plain-old-password"


def test_a_secret_sealed_with_the_previous_key_reads_while_that_key_is_a_fallback(settings):
    settings.SECRET_KEY = "old-key-" + "x" * 50
    stored = sealing.seal("Haslo-456")

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key-" + "y" * 50, ["old-key-" + "x" * 50]
    assert sealing.unseal(stored) == "Haslo-456"

    settings.SECRET_KEY_FALLBACKS = []
    assert sealing.unseal(stored) == ""  # unreadable: logged, and the page asks for the password again


def test_the_column_is_wide_enough_for_the_longest_secret_in_any_script():
    assert len(sealing.seal("ż" * 255)) <= sealing.sealed_length(255)
    assert len(sealing.seal("😀" * 255)) <= sealing.sealed_length(255)
