"""Shared fixtures: copies of the seed articles, a prebuilt index, article files."""

from __future__ import annotations

import random
import shutil
import tarfile
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
VNTC = Path(__file__).resolve().parents[2] / "shared" / "data" / "vntc" / "VNTC_Test_Full.tar.gz"
#: For tests that need more text than the seeds to show an effect.
needs_vntc = pytest.mark.skipif(not VNTC.is_file(), reason="shared VNTC data not present")

SENTENCES = [
    sentence.strip()
    for path in sorted(SEEDS.glob("*.txt"))
    for sentence in path.read_text(encoding="utf-8").replace("\n", " ").split(". ")
    if len(sentence.split()) > 6
]


def write_articles(folder: Path, names: range, seed: int) -> None:
    """Articles made of the seeds' sentences, shuffled: real Vietnamese, many files."""
    rng = random.Random(seed)
    for n in names:
        body = ". ".join(rng.sample(SENTENCES, 8)) + "."
        title = rng.choice(SENTENCES)[:80]
        path = folder / f"bai-{n:04d}.txt"
        path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def indexed_ids(index_dir: Path) -> set[str]:
    """The ids of the articles the index holds (it must open, and search)."""
    from vnsearch import Searcher, storage

    with Searcher(index_dir) as searcher:
        assert searcher.search("dân số").total > 0
    with storage.open_index(index_dir).searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


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


@pytest.fixture(scope="session")
def vntc_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of 300 VNTC articles, 30 from each topic folder (their categories).

    Without the shared data, the seeds stand in.  Its seeds are in the
    index's sibling folder ``seeds``; read-only use.
    """
    from vnsearch import update_index

    root = tmp_path_factory.mktemp("vntc")
    seeds = root / "seeds"
    if VNTC.is_file():
        taken: dict[str, int] = {}
        with tarfile.open(VNTC, "r:gz") as tar:
            for member in tar:
                topic = member.name.split("/")[1] if member.isfile() else None
                if topic is None or taken.get(topic, 0) >= 30:
                    continue
                taken[topic] = taken.get(topic, 0) + 1
                target = seeds / member.name.split("/", 1)[1]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())
    else:
        shutil.copytree(SEEDS, seeds)
    write_article(seeds, "extra", "Dân số và bóng đá", "Chính phủ Việt Nam bàn về dân số, y tế.")
    update_index(seeds, root / "index", jobs=1)
    return root / "index"
