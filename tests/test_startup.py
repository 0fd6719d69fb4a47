"""Starting `vnsearch` loads only what the command needs (a guard on what is imported, not a timing).

numpy, Whoosh's writer, the indexer and pyvi's model take most of a cold
start: `--help` needs none of them, a search not the indexer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import vnsearch

SRC = Path(vnsearch.__file__).resolve().parent.parent
#: Modules that make a cold start slow, by the command that needs them.
HEAVY = ["numpy", "whoosh.writing", "vnsearch.indexing", "pyvi", "pycrfsuite"]


def modules_loaded(code: str) -> set[str]:
    """The modules a new Python process has imported once it has run ``code``."""
    report = "import json, sys; print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    path = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", f"try:\n    {code}\nfinally:\n    {report}"],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return set(json.loads(done.stderr.splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    return [name for name in HEAVY if name in modules]


@pytest.mark.parametrize(
    "code",
    [
        "import vnsearch",
        "import vnsearch.cli",
        "from vnsearch.cli import main; main(['--help'], prog_name='vnsearch')",
        "from vnsearch.cli import main; main(['--version'], prog_name='vnsearch')",
        "from vnsearch.cli import main; main(['search', '--help'], prog_name='vnsearch')",
    ],
)
def test_starting_loads_nothing_heavy(code: str) -> None:
    assert heavy(modules_loaded(code)) == []


def test_a_search_does_not_load_the_indexer(built_index: Path) -> None:
    code = f"from vnsearch.cli import main; main(['search', '--index', {str(built_index)!r}, 'dân số'])"
    loaded = modules_loaded(code)
    assert "vnsearch.searching" in loaded  # it did search
    assert heavy(loaded) == ["numpy"]  # scores postings (vnsearch.ranking)


def test_public_names_still_import() -> None:
    """``from vnsearch import Searcher`` works though ``import vnsearch`` loads nothing."""
    from vnsearch import Searcher, update_index

    assert Searcher.__module__ == "vnsearch.searching"
    assert update_index.__module__ == "vnsearch.indexing"
    assert all(getattr(vnsearch, name) for name in vnsearch.__all__)
    assert set(vnsearch.__all__) <= set(dir(vnsearch))


def test_article_error_is_a_vnsearch_error(tmp_path: Path) -> None:
    """One ``except VnsearchError`` catches every error meant for the user (still a ValueError, as it was)."""
    from vnsearch import VnsearchError, read_article

    empty = tmp_path / "trống.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(VnsearchError, match="empty file") as error:
        read_article(empty, id="trống")
    assert isinstance(error.value, ValueError)
