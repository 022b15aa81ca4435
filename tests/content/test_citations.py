"""pybtex's plugin look-ups are made once per process, with the same answers."""

from __future__ import annotations

import pybtex.plugin
import pytest

from handbook.content import citations


@pytest.fixture
def counted_lookups(monkeypatch):
    """pybtex's entry-point look-up, counted, before the handbook remembers it."""
    calls = []
    # An earlier build in this process may have made the look-ups remembered already.
    original = getattr(pybtex.plugin.entry_points, "_handbook_lookup", pybtex.plugin.entry_points)

    def lookup(**selection):
        calls.append(selection)
        return original(**selection)
    monkeypatch.setattr(pybtex.plugin, "entry_points", lookup)
    return calls


def test_plugins_are_looked_up_once_with_the_same_answer(counted_lookups):
    before = pybtex.plugin.find_plugin("pybtex.backends", "plaintext")
    assert len(counted_lookups) == 1
    citations.remember_entry_points()
    citations.remember_entry_points()  # idempotent: one layer
    for _ in range(5):
        assert pybtex.plugin.find_plugin("pybtex.backends", "plaintext") is before
    assert pybtex.plugin.find_plugin("pybtex.style.formatting", "unsrt").__name__ == "Style"
    assert counted_lookups[1:] == [
        {"group": "pybtex.backends", "name": "plaintext"},
        {"group": "pybtex.style.formatting", "name": "unsrt"},
    ]


def test_plugins_registered_at_run_time_still_come_first(counted_lookups, monkeypatch):
    citations.remember_entry_points()
    pybtex.plugin.find_plugin("pybtex.backends", "plaintext")

    class Mine(pybtex.plugin.Plugin):
        pass

    monkeypatch.setitem(pybtex.plugin._RUNTIME_PLUGINS, "pybtex.backends", {"plaintext": Mine})
    assert pybtex.plugin.find_plugin("pybtex.backends", "plaintext") is Mine
