"""Shared fixtures: copies of the seed articles, a prebuilt index, article files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

#: The seed articles by their three-digit prefix.
SEED_IDS = {path.stem[:3]: path.stem for path in sorted(SEEDS.glob("*.txt"))}


def write_article(
    folder: Path, name: str, title: str, body: str, byline: str | None = None
) -> Path:
    """Write ``folder/name`` (``.txt`` added if missing) as a scraped article.

    ``body`` paragraphs are separated by blank lines like the seeds; the byline,
    if any, is the last line.  Returns the path written.
    """
    folder = Path(folder)
    path = folder / (name if name.endswith(".txt") else f"{name}.txt")
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = [title, body]
    if byline:
        parts.append(byline)
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A fresh copy of the five seed articles, safe to modify."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def pristine_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session-wide copy of the seeds; never modify it."""
    target = tmp_path_factory.mktemp("pristine") / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def built_index(pristine_seeds: Path) -> Path:
    """The index of the pristine seeds, built once per session; read-only use.

    Copy it with ``shutil.copytree`` before changing it.
    """
    from vnsearch import update_index

    index_dir = pristine_seeds.parent / "index"
    report = update_index(pristine_seeds, index_dir)
    assert len(report.added) == len(SEED_IDS)
    return index_dir
