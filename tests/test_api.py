"""The public API is the documented list of names, each importable."""

from __future__ import annotations

import re

import vnsearch
from conftest import ROOT

#: The names ``vnsearch.__all__`` documents, as of this test's writing.
API = set(
    "Article ArticleError FacetCount Hit IndexDamagedError IndexLocationError IndexLockedError IndexNotFoundError "
    "IndexReport IndexStats IndexVersionError IndexWriteError QueryError SearchResult Searcher SeedsNotFoundError "
    "Skipped SynonymsFileError build_index VnsearchError export_articles parse_date read_article search update_index "
    "watch_index AddReport DeleteReport add_articles add_jsonl delete_articles BadRecordsError ArticleSourceError".split()
)


def test_all_is_the_documented_api() -> None:
    assert set(vnsearch.__all__) == API
    assert len(vnsearch.__all__) == len(API)  # no name twice


def test_every_name_resolves() -> None:
    for name in API:
        assert getattr(vnsearch, name) is not None, name


def test_the_readme_documents_every_name() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    api = readme[readme.index("## Python API") :]
    api = api[: api.index("\n## ", 1)]
    missing = [name for name in API if not re.search(rf"\b{name}\b", api)]
    assert not missing, f"not in the README's Python API section: {missing}"
