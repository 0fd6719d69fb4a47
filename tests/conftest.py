"""Shared fixtures: copies of the seed articles, prebuilt indexes, article files.

Everything here runs on what the repository carries (``seeds/``), except the
tests marked ``shared_data``: they read the corpora in :data:`SHARED_DATA` and
are skipped, with the reason, when those are absent (a clone on a laptop).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
#: The one place that says where the shared corpora are (see ../shared/data/README.md):
#: ``$VNSEARCH_SHARED_DATA``, else ``shared/data`` beside the checkout.
SHARED_DATA = Path(os.environ.get("VNSEARCH_SHARED_DATA") or ROOT.parent / "shared" / "data")
#: Its data sets, the folders a ``shared_data`` mark may name.
SHARED_SETS = {"vntc", "baomoi", "vicov19qa"}
VNTC = SHARED_DATA / "vntc" / "VNTC_Test_Full.tar.gz"
#: For tests that need more text than the seeds to show an effect: skipped without VNTC.
needs_vntc = pytest.mark.shared_data("vntc")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip, saying why, each ``shared_data`` test whose data set is absent.

    ``@pytest.mark.shared_data("vntc", ...)`` names the folders of
    :data:`SHARED_DATA` a test reads.  A test that uses ``vntc_index`` without
    the mark is an error: without the data it would have nothing to test.
    """
    for item in items:
        marks = list(item.iter_markers("shared_data"))
        names = [name for mark in marks for name in mark.args]
        if marks and not names or not set(names) <= SHARED_SETS:
            raise pytest.UsageError(f"{item.nodeid}: shared_data must name some of {sorted(SHARED_SETS)}")
        if "vntc_index" in getattr(item, "fixturenames", ()) and "vntc" not in names:
            raise pytest.UsageError(f"{item.nodeid} uses vntc_index: mark it @needs_vntc")
        missing = [str(SHARED_DATA / name) for name in names if not (SHARED_DATA / name).exists()]
        if missing:
            reason = f"shared data absent: no {' or '.join(missing)} (set VNSEARCH_SHARED_DATA to its folder)"
            item.add_marker(pytest.mark.skip(reason=reason))


SENTENCES = [
    sentence.strip()
    for path in sorted(SEEDS.glob("*.txt"))
    for sentence in path.read_text(encoding="utf-8").replace("\n", " ").split(". ")
    if len(sentence.split()) > 6
]


def write_articles(folder: Path, names: range, seed: int, sentences: int = 8) -> None:
    """Articles made of the seeds' sentences, shuffled: real Vietnamese, many files.

    Each has a title and a body of ``sentences`` sentences.
    """
    rng = random.Random(seed)
    for n in names:
        body = ". ".join(rng.sample(SENTENCES, sentences)) + "."
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


#: The categories of :func:`write_news`: a subfolder of the seeds and what its articles are about.
NEWS_TOPICS = {"tre-em": ("trẻ em",), "dan-so": ("dân số",), "quoc-phong": ("quân", "quốc phòng")}
#: The sites :func:`write_news` credits its articles to.
NEWS_SITES = [
    "baocaobang.vn", "vinhphuc.gov.vn", "backan.gov.vn", "thanhhoa.gov.vn",
    "hcmcpv.org.vn", "suckhoedoisong.vn", "dangcongsan.vn",
]  # fmt: skip


def topics_of(sentence: str) -> set[str]:
    """The categories of :data:`NEWS_TOPICS` whose words ``sentence`` has."""
    return {topic for topic, words in NEWS_TOPICS.items() if any(w in sentence.lower() for w in words)}


def write_news(folder: Path, count: int = 64, seed: int = 0) -> None:
    """``count`` news articles made of the seeds' sentences, for facets and ranking.

    Three in four sit in a category subfolder (:data:`NEWS_TOPICS`) and have two
    sentences on its topic (one is the title) among five on no topic; the rest
    are at the top of ``folder``.  All but one in eight have a date line, over
    nine years (2016-2024); those eight are made of sentences without digits, so
    no date is read from them either.  Most end with a ``Nguồn:`` line to one of
    :data:`NEWS_SITES`.
    """
    rng = random.Random(seed)
    sentences = [s for s in SENTENCES if "Portal" not in s]  # portal junk lines are dropped
    filler = [s for s in sentences if not topics_of(s)]
    for n in range(count):
        category = list(NEWS_TOPICS)[n % 4] if n % 4 < 3 else None
        dated = n % 8 != 7
        if category:
            chosen = rng.sample([s for s in sentences if topics_of(s) == {category}], 2)
            chosen += rng.sample(filler, 5)
        else:
            chosen = rng.sample([s for s in sentences if dated or not re.search(r"\d", s)], 7)
        site = rng.choice([*NEWS_SITES, None])
        lines = [f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{2016 + n % 9}"] if dated else []
        lines += [". ".join(chosen[1:4]) + ".", ". ".join(chosen[4:]) + "."]
        if site:
            lines.append(f"Nguồn: https://{site}/bai-{n:02d}.html")
        title = " ".join(chosen[0].split()[:12])
        write_article(folder / (category or ""), f"bai-{n:02d}", title, "\n\n".join(lines))


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


def _index_with_extra(root: Path) -> Path:
    """Index ``root/seeds`` plus one extra article into ``root/index``; return that."""
    from vnsearch import update_index

    write_article(root / "seeds", "extra", "Dân số và bóng đá", "Chính phủ Việt Nam bàn về dân số, y tế.")
    update_index(root / "seeds", root / "index", jobs=1)
    return root / "index"


@pytest.fixture(scope="session")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of :func:`write_news`'s articles: categories, years and sites from the seeds.

    Its articles are in the index's sibling folder ``seeds``; read-only use.
    """
    root = tmp_path_factory.mktemp("news")
    write_news(root / "seeds")
    return _index_with_extra(root)


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder ``name``, filled by ``make(folder)`` once for the whole test run.

    Under pytest-xdist every worker process has its own session fixtures: the
    first worker to ask makes the folder in the temporary folder the workers
    share, the others wait for it (a file lock) and use it too.  Read-only use.
    """
    from whoosh.util.filelock import FileLock

    root, run = tmp_path_factory.getbasetemp(), os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run:  # a worker: its folder is .../pytest-N/popen-gwN/, or --basetemp's gwN/
        root = root.parent
    folder, done = root / name, root / f"{name}.{run or 'made'}"
    lock = FileLock(str(root / f"{name}.lock"))
    lock.acquire(blocking=True)
    try:
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    finally:
        lock.release()
    return folder


#: How many articles :func:`vntc_articles` takes from each VNTC topic folder.
VNTC_PER_TOPIC = 30


def _extract_vntc(folder: Path) -> None:
    """The first :data:`VNTC_PER_TOPIC` articles of each topic, unchanged, as ``<topic>/<name>.txt``."""
    taken: dict[str, int] = {}
    with tarfile.open(VNTC, "r:gz") as tar:
        for member in tar:
            topic = member.name.split("/")[1] if member.isfile() else None
            if topic is None or taken.get(topic, 0) >= VNTC_PER_TOPIC:
                continue
            taken[topic] = taken.get(topic, 0) + 1
            target = folder / member.name.split("/", 1)[1]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())


@pytest.fixture(scope="session")
def vntc_articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 VNTC articles as the archive has them (UTF-16LE, CRLF), 30 from each topic folder.

    Read from the archive once per run (a pass over it takes seconds); only
    for tests marked ``@needs_vntc``; read-only use.
    """
    return made_once(tmp_path_factory, "vntc-articles", _extract_vntc)


@pytest.fixture(scope="session")
def vntc_index(tmp_path_factory: pytest.TempPathFactory, vntc_articles: Path) -> Path:
    """An index of :func:`vntc_articles` (their topic folders are their categories).

    Only for tests marked ``@needs_vntc``.  Its articles are in the index's
    sibling folder ``seeds``; read-only use.
    """

    def make(root: Path) -> None:
        shutil.copytree(vntc_articles, root / "seeds")
        _index_with_extra(root)

    return made_once(tmp_path_factory, "vntc", make) / "index"


#: The corpora a test can run on, by name: ``news`` always, ``vntc`` with the shared data.
CORPORA = ["news", pytest.param("vntc", marks=needs_vntc)]


@pytest.fixture(scope="session")
def corpus_index(request: pytest.FixtureRequest) -> Path:
    """The index of the corpus the test is parametrized with (see :data:`CORPORA`)."""
    return request.getfixturevalue(f"{request.param}_index")


def corpus_cases(news: list[tuple], vntc: list[tuple]) -> list:
    """Parameters ``(corpus_index, *case)``: each case on its corpus, the VNTC ones marked."""
    return [pytest.param("news", *case) for case in news] + [
        pytest.param("vntc", *case, marks=needs_vntc) for case in vntc
    ]
