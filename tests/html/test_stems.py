"""The search index's stems are remembered across pages, and the index is unchanged."""

from __future__ import annotations

import sphinx.search
from sphinx.search.en import SearchEnglish

from conftest import REPO_ROOT
from handbook.devtools import synthetic
from handbook.html import stems


def test_memo_gives_sphinx_stems_and_stems_each_word_once():
    memo, plain = stems.SearchEnglishMemo({}), SearchEnglish({})
    words = ["Infusions", "infusion", "monitoring", "Monitored", "patients", "patient's", "ketamine", "running"]
    assert [memo.stem(w) for w in words] == [plain.stem(w) for w in words]
    calls = []
    stem_word = memo.stemmer.stemWord
    memo.stemmer.stemWord = lambda word: calls.append(word) or stem_word(word)
    for _ in range(3):
        assert memo.stem("Observations") == plain.stem("Observations")
    assert calls == ["observations"]


def test_search_index_is_byte_identical_without_the_memo(tmp_path, make_app, monkeypatch):
    src = synthetic.generate(REPO_ROOT, tmp_path / "src", 6)
    remembered = make_app("html", srcdir=src, builddir=tmp_path / "memo")
    remembered.build()
    assert type(remembered.builder.indexer.lang) is stems.SearchEnglishMemo
    # The same build with Sphinx's own English stemmer.
    monkeypatch.setattr(stems, "setup", lambda app: None)
    monkeypatch.setitem(sphinx.search.languages, "en", SearchEnglish)
    plain = make_app("html", srcdir=src, builddir=tmp_path / "plain")
    plain.build()
    assert type(plain.builder.indexer.lang) is SearchEnglish
    index = (remembered.outdir / "searchindex.js").read_bytes()
    assert b"synthet" in index  # stems are in it
    assert index == (plain.outdir / "searchindex.js").read_bytes()
