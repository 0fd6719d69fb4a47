"""Smoke tests: each benchmark script runs end to end on a tiny sample.

The benchmarks themselves are never run here; see benchmarks/ and the README.
Each runs on data made from the seeds, in the shared data's layout, and on a
sample of the shared data when it is there: real articles and questions (where
the figures also mean something), in the same layout but a few hundred of
them, so no run reads the whole 58 MB archive or indexes 4,500 answers.
speed.py's own logic (which articles an N takes from VNTC and baomoi, pyvi's
sample, the growth fit) is tested apart, on made-up member lists and files,
and known_item.py's queries on real VNTC titles.
"""

import codecs
import io
import csv
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import ROOT, SENTENCES, SHARED_DATA, made_once, write_news

sys.path.insert(0, str(ROOT / "benchmarks"))
import known_item  # noqa: E402
import relevance  # noqa: E402
import speed  # noqa: E402
from peers import Doc  # noqa: E402

slow = pytest.mark.slow  # the benchmark scripts run as processes


def pack(articles: Path, data: Path, archive: Path, top: str, per_folder: int | None = None) -> None:
    """``data/archive``: the files of ``articles/<folder>/`` as ``top/<folder>/``, or the first ``per_folder`` of each."""
    (data / archive).parent.mkdir(parents=True)
    with tarfile.open(data / archive, "w:gz") as tar:
        for folder in sorted(p for p in articles.iterdir() if p.is_dir()):
            for path in sorted(folder.glob("*.txt"))[:per_folder]:
                tar.add(path, f"{top}/{folder.name}/{path.name}")


def pack_vntc(articles: Path, data: Path, per_topic: int | None = None) -> None:
    """``data/vntc/VNTC_Test_Full.tar.gz``: the files of ``articles/<topic>/`` as ``Test_Full/<topic>/``."""
    pack(articles, data, speed.ARCHIVE, "Test_Full", per_topic)


def pack_baomoi(items: Path, data: Path) -> None:
    """``data/baomoi/TC201805_corpus.tar.gz``: the files of ``items/<category>/`` as ``corpus/<category>/``."""
    pack(items, data, speed.BAOMOI_ARCHIVE, "corpus")


def write_baomoi(folder: Path, count: int) -> None:
    """``count`` items as baomoi has them: UTF-8, a title line and a lead line, in two categories."""
    for n in range(count):
        path = folder / ("Thể thao" if n % 2 else "Kinh doanh & Tài chính") / f"{21000000 + n}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        title, lead = SENTENCES[2 * n][:90], SENTENCES[2 * n + 1]
        path.write_text(f"{title}\n{lead}.\n", encoding="utf-8")


def extract_first(archive: Path, folder: Path, counts: dict[str, int]) -> None:
    """The first ``counts[part]`` files of a shared archive whose name holds ``part``, unchanged, as ``<folder>/<name>``.

    Reads the archive only as far as it must (its order: one folder after another).
    """
    counts = dict(counts)
    with tarfile.open(SHARED_DATA / archive, "r:gz") as tar:
        for member in tar:
            if not any(counts.values()):
                break
            part = next((part for part, count in counts.items() if count and part in member.name), None)
            if member.isfile() and part is not None:
                target = folder / member.name.split("/", 1)[1]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())
                counts[part] -= 1


def extract_baomoi(folder: Path, count: int) -> None:
    """The first ``count`` items of the shared baomoi archive (all of one category), as ``<category>/<id>.txt``."""
    extract_first(speed.BAOMOI_ARCHIVE, folder, {"": count})


def write_questions(data: Path, rows: dict[str, list[list[str]]]) -> None:
    """``data/vicov19qa/``: a CSV file of ``[id, question, answer]`` rows for each split."""
    (data / "vicov19qa").mkdir()
    for split, split_rows in rows.items():
        with open(data / "vicov19qa" / f"UIT-ViCoV19QA_1ans_{split}.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f, delimiter="|").writerows([["id", "Question", "Answer_1"], *split_rows])


@pytest.fixture(scope="module")
def seed_data(tmp_path_factory) -> Path:
    """A shared data folder made from the seeds: VNTC and baomoi archives and a ViCoV19QA set.

    The VNTC archive holds :func:`write_news`'s articles as VNTC has them
    (UTF-16LE with BOM, CRLF, ``Test_Full/<topic>/<name>.txt``), the baomoi one
    20 :func:`write_baomoi` items; each answer is a seed sentence, asked for by
    its first eight words.
    """
    root = tmp_path_factory.mktemp("seed-data")
    news = root / "news"
    write_news(news)
    for path in sorted(news.rglob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
        path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    pack_vntc(news, root)
    write_baomoi(root / "baomoi-items", 20)
    pack_baomoi(root / "baomoi-items", root)
    parts = {"train": slice(0, 40), "val": slice(40, 50), "test": slice(50, 60)}
    write_questions(root, {
        split: [[n, " ".join(sentence.split()[:8]) + "?", sentence]
                for n, sentence in enumerate(SENTENCES[part], start=part.start)]
        for split, part in parts.items()
    })  # fmt: skip
    return root


#: How many answers of each split :func:`vicov19qa_sample` keeps: the benchmarks
#: below ask at most 20 ``val`` questions; their answers are among the first 20.
SAMPLE_ANSWERS = {"train": 200, "val": 20, "test": 20}


@pytest.fixture(scope="module")
def vntc_sample(tmp_path_factory, vntc_articles: Path) -> Path:
    """A shared data folder whose VNTC archive holds the 300 real articles of ``vntc_articles``, unchanged."""
    return made_once(tmp_path_factory, "vntc-sample", lambda root: pack_vntc(vntc_articles, root))


@pytest.fixture(scope="module")
def speed_sample(tmp_path_factory, vntc_articles: Path) -> Path:
    """A shared data folder of real articles for speed.py: VNTC's (two a topic) and baomoi's (24)."""

    def make(root: Path) -> None:
        pack_vntc(vntc_articles, root, per_topic=2)
        extract_baomoi(root / "baomoi-items", 24)
        pack_baomoi(root / "baomoi-items", root)

    return made_once(tmp_path_factory, "speed-sample", make)


@pytest.fixture(scope="module")
def headlines_sample(tmp_path_factory) -> Path:
    """A shared data folder whose VNTC archive holds 50 real articles of its first topic, unchanged.

    The first 40 from VnExpress, whose files start with a headline, and the
    first 10 from NLĐ, whose files often have none (the first paragraph runs
    headline, photo caption and lead together): known_item.py searches for
    headlines.  (:func:`vntc_sample` has NLĐ's and Thanh Niên's alone.)
    """

    def make(root: Path) -> None:
        extract_first(speed.ARCHIVE, root / "articles", {"_VNE_": 40, "_NLD_": 10})
        pack_vntc(root / "articles", root)

    return made_once(tmp_path_factory, "headlines-sample", make)


@pytest.fixture(scope="module")
def vicov19qa_sample(tmp_path_factory) -> Path:
    """A shared data folder whose UIT-ViCoV19QA set is the first rows of each split (:data:`SAMPLE_ANSWERS`)."""

    def make(root: Path) -> None:
        rows = {}
        for split, count in SAMPLE_ANSWERS.items():
            with open(SHARED_DATA / "vicov19qa" / f"UIT-ViCoV19QA_1ans_{split}.csv", encoding="utf-8", newline="") as f:
                rows[split] = list(csv.reader(f, delimiter="|"))[1 : count + 1]
        write_questions(root, rows)

    return made_once(tmp_path_factory, "vicov19qa-sample", make)


def on_data(name: str, once: bool = False, sets: tuple[str, ...] | None = None):
    """Run the test on the seed-made data and on the sample ``<name>_sample`` of the shared data (if there).

    ``sets``: the shared data sets that sample is made from (``name`` alone by
    default).  ``once``: on the sample alone when the shared data is there.
    """
    sets = sets or (name,)
    shared = pytest.param(name, marks=pytest.mark.shared_data(*sets), id="shared")
    both = not (once and all((SHARED_DATA / s).exists() for s in sets))
    return pytest.mark.parametrize("data", ["seeds", shared] if both else [shared], indirect=True)


@pytest.fixture
def data(request) -> Path:
    """The seed-made data folder, or the sample of the shared data set the test is parametrized with."""
    return request.getfixturevalue("seed_data" if request.param == "seeds" else f"{request.param}_sample")


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def table_rows(out: str) -> list[list[str]]:
    """The cells of a Markdown table's rows, header and rule left out."""
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]


# Once: speed.py starts some 30 processes an N (~12 s) whatever the sample.
# Without the shared data it runs on the seed-made archives, which the
# segmentation test reads in every run (through speed.py's archive_members and
# choose).  Two N: VNTC alone, then every article of both archives ("max"),
# with pyvi alone on a sample of 12 of them.
@slow
@on_data("speed", once=True, sets=("vntc", "baomoi"))
def test_speed_benchmark_runs_on_a_tiny_corpus(data: Path, tmp_path: Path) -> None:
    out = run("speed.py", "--n", "10", "--n", "max", "--pyvi-sample", "12", "--queries", "20",
              "--data", str(data), "--work", str(tmp_path / "work"), "--out", str(tmp_path))  # fmt: skip
    for label in ("build: wall time (s)", "query p50 (ms)", "add 1 article (ms)", "cold search"):
        assert label in out
    assert "vnsearch ÷ FTS5" in out
    assert (tmp_path / "speed-latest.md").is_file()
    vntc, baomoi = (len(speed.archive_members(data / archive)) for archive in (speed.ARCHIVE, speed.BAOMOI_ARCHIVE))
    n = vntc - 1 + baomoi
    assert f"data: {data / speed.ARCHIVE} and {data / speed.BAOMOI_ARCHIVE}" in out
    corpus = table_rows(out)[:2]  # N, articles, from VNTC, from baomoi, ...
    assert [row[:4] for row in corpus] == [["10", "10", "10", "0"], [f"{n}", f"{n}", f"{vntc - 1}", f"{baomoi}"]]
    assert "pyvi alone segmented a seeded random sample of 12 of the N articles" in out
    assert f"fitted growth exponent k (time ∝ N^k, least squares on log–log over N = 10, {n})" in out
    growth = {row[0]: row[1:] for row in table_rows(out.split("fitted growth exponent")[1])}
    assert growth["vnsearch"][0] and growth["SQLite FTS5"][2]  # build, query p50
    assert not growth["pyvi alone"][0]  # one of its two builds was a sample


@pytest.mark.parametrize(("question", "left"), [
    ("Vaccine Covid-19 là gì?", "Vaccine Covid-19"),
    ("Trẻ em tiêm vaccine như thế nào, ở đâu?", "Trẻ em tiêm vaccine"),
    ("Không đeo khẩu trang có bị phạt không?", "đeo khẩu trang có bị phạt"),
    ("Tiêm mũi 3 được không ạ?", "Tiêm mũi 3"),
])  # fmt: skip
def test_question_words_can_be_left_out(question: str, left: str) -> None:
    assert " ".join(relevance.without_question_words(question).replace("?", " ").replace(",", " ").split()) == left


@slow
@on_data("vicov19qa")
def test_relevance_benchmark_runs_on_a_few_questions(data: Path) -> None:
    rows = table_rows(run("relevance.py", "--data", str(data / "vicov19qa"), "--split", "val", "--limit", "10"))
    assert [row[0] for row in rows] == ["vnsearch", "SQLite FTS5", "Whoosh (StandardAnalyzer)"]
    # vnsearch ranks most of the ten answers in its top 10 (of 100 real ones, or the seeds' 60)
    recall_10 = float(rows[0][2])
    assert recall_10 >= 0.5


@slow
@on_data("vntc")
def test_segmentation_benchmark_finds_pyvis_words_on_a_few_articles(data: Path, tmp_path: Path) -> None:
    out = run("segmentation.py", "--n", "20", "--data", str(data), "--out", str(tmp_path))
    assert "| differing articles | 0 | 0 |" in out
    assert "| articles compared | 20 | 20 |" in out
    assert "vnsearch ÷ pyvi" in out
    assert (tmp_path / "segmentation-latest.md").is_file()


@slow
@on_data("vicov19qa")
def test_suggestions_benchmark_restores_most_words(data: Path) -> None:
    rows = table_rows(run("suggestions.py", "--data", str(data / "vicov19qa"), "--split", "val", "--limit", "20"))
    assert [row[0] for row in rows] == ["vnsearch", "most frequent form (no context)", "pyvi ViDiac"]
    words_right = [float(row[1]) for row in rows]
    assert words_right[0] >= 0.7 and words_right[0] >= words_right[2]



@slow
@on_data("headlines", sets=("vntc",))
def test_known_item_benchmark_finds_a_few_headlines(data: Path, tmp_path: Path) -> None:
    out = run("known_item.py", "--limit", "4", "--data", str(data), "--work", str(tmp_path), "--out", str(tmp_path))
    scores = table_rows(out)[:3]  # system, R@1, R@10, MRR@10, the same folded, p50 ms ×2
    assert [row[0] for row in scores] == ["vnsearch", "SQLite FTS5", "Whoosh (StandardAnalyzer)"]
    assert "(4 queries)" in out and "40 VNTC articles" in out
    mrr, mrr_folded = float(scores[0][3]), float(scores[0][6])
    assert mrr >= 0.75 and mrr_folded >= 0.75  # title words find their article
    assert not (tmp_path / "known_item-latest.md").exists()  # a --limit run saves nothing


def test_a_false_fix_is_a_first_suggestion_that_changes_a_word() -> None:
    import false_fixes

    offered = {"hoà bình": ["hòa bình"], "hoà giải": ["hóa giải", "hoà giải"], "dân số": [],
               "Giá Vàng": ["giá vàng"], "bóng đá": ["bóng đá", "bằng đá"], "tay ở Cup": ["tây ở Cup"]}  # fmt: skip
    outcome = false_fixes.false_fixes(lambda query: offered[query], list(offered))
    assert (outcome.queries, outcome.suggested) == (6, 5)
    # tone marks placed alike, case and later suggestions do not count; no suggestion is no fix
    assert outcome.fixes == [("hoà giải", "hóa giải"), ("tay ở Cup", "tây ở Cup")]
    assert outcome.rate_of_all == pytest.approx(2 / 6) and outcome.restored is None
    assert outcome.accented == 6 and outcome.rate == pytest.approx(2 / 6)
    unaccented = false_fixes.false_fixes(lambda query: ["này"], ["nay"])  # can't be told from "nay" typed for "này"
    assert (unaccented.accented, unaccented.rate, unaccented.rate_of_all) == (0, 0, 1)
    assert false_fixes.word_changes(outcome.fixes) == {("hòa", "hóa"): 1, ("tay", "tây"): 1}  # as compared
    assert false_fixes.false_fixes(lambda query: [], ["bóng đá hay"]).rate == 0
    assert false_fixes.false_fixes(lambda query: [], []).rate == 0


def test_false_fixes_are_measured_on_the_seeds_index(built_index: Path) -> None:
    import false_fixes

    queries = ["bóng đá hay", "giá vàng tăng", "dân số", "Dân số Việt Nam"]
    outcome = false_fixes.measure(built_index, queries)
    assert outcome.queries == 4 and 0 <= len(outcome.fixes) <= outcome.suggested <= 4
    assert 0 <= outcome.rate <= 1 and outcome.ms_p50 >= 0
    for query, suggestion in outcome.fixes:
        assert query in queries[:2] and false_fixes.words_of(suggestion) != false_fixes.words_of(query)
    assert outcome.restored.words >= 0.5  # "dan so" and "Dan so Viet Nam" are the seeds' words
    alone = false_fixes.measure(built_index, ["dân số"], folded=False)
    assert (alone.fixes, alone.rate, alone.restored) == ([], 0, None)  # words the index has: no change


@slow
@pytest.mark.parametrize("data", ["seeds", pytest.param("shared", marks=pytest.mark.shared_data("vntc", "vicov19qa"),
                                                         id="shared")])  # fmt: skip
def test_false_fixes_benchmark_runs_on_a_few_queries(data: str, request, tmp_path: Path) -> None:
    if data == "seeds":
        folder = request.getfixturevalue("seed_data")
    else:  # real headlines and questions, a few dozen of each
        folder = tmp_path / "data"
        folder.mkdir()
        for name, sample in (("vntc", "headlines_sample"), ("vicov19qa", "vicov19qa_sample")):
            (folder / name).symlink_to(request.getfixturevalue(sample) / name)
    out = run("false_fixes.py", "--limit", "2", "--data", str(folder), "--work", str(tmp_path / "work"),
              "--out", str(tmp_path))  # fmt: skip
    rows = table_rows(out.split("## Examples")[0])
    assert [row[:2] for row in rows] == [
        ["seeds (5 articles)", "ViCoV19QA questions"], ["seeds (5 articles)", "VNTC titles"],
        ["VNTC (20 articles)", "ViCoV19QA questions"], ["VNTC (20 articles)", "VNTC titles"],
    ]  # fmt: skip
    for row in rows:
        n, accented, suggested, fixes = int(row[2]), int(row[3]), float(row[4]), int(row[5])
        rate, rate_of_all = float(row[6].strip("*")), float(row[7])
        assert n == 2 and accented <= n and rate_of_all == fixes / n <= suggested <= 1 and 0 <= rate <= 1
        assert 0 <= float(row[8]) <= 1  # folded: words right
    assert not (tmp_path / "false_fixes-latest.md").exists()  # a --limit run saves nothing

# -- speed.py's own logic, on made-up archives ----------------------------------------

#: Made-up member lists: VNTC's ten articles in three topics, baomoi's twenty items in four categories.
FAKE_VNTC = [f"Test_Full/topic-{i % 3}/{i:03d}.txt" for i in range(10)]
FAKE_BAOMOI = [f"corpus/cat {i % 4}/{21000000 + i}.txt" for i in range(20)]


def test_an_n_within_vntc_takes_vntcs_articles_as_before() -> None:
    for n in range(1, 10):
        chosen, extra = speed.choose(FAKE_VNTC, n, seed=3)
        assert speed.choose_mixed(FAKE_VNTC, FAKE_BAOMOI, n, seed=3) == (chosen, [], extra)
        assert speed.choose_mixed(FAKE_VNTC, [], n, seed=3) == (chosen, [], extra)  # baomoi unread


def test_an_n_beyond_vntc_adds_baomois_items_to_all_of_vntcs() -> None:
    vntc, extra = speed.choose(FAKE_VNTC, 9, seed=3)
    largest = speed.max_n(len(FAKE_VNTC), len(FAKE_BAOMOI))
    assert largest == 29
    _, every, _ = speed.choose_mixed(FAKE_VNTC, FAKE_BAOMOI, largest, seed=3)
    assert sorted(every) == sorted(FAKE_BAOMOI) and every != FAKE_BAOMOI  # all of them, shuffled
    for n in range(10, largest + 1):
        chosen, items, held_back = speed.choose_mixed(FAKE_VNTC, FAKE_BAOMOI, n, seed=3)
        assert (chosen, held_back) == (vntc, extra)  # the one held back stays out
        assert items == every[: n - 9]  # a prefix: part of every larger N's corpus
    assert speed.choose_mixed(FAKE_VNTC, FAKE_BAOMOI, 12, seed=4) != speed.choose_mixed(
        FAKE_VNTC, FAKE_BAOMOI, 12, seed=3
    )
    for n in (0, largest + 1):
        with pytest.raises(SystemExit, match="between 1 and 29"):
            speed.choose_mixed(FAKE_VNTC, FAKE_BAOMOI, n, seed=3)


def test_each_archive_has_its_place_under_the_seeds() -> None:
    assert speed.seed_path("Test_Full/The thao/TT_1.txt") == "The thao/TT_1.txt"
    assert speed.baomoi_seed_path("corpus/Thể thao & Bóng đá/21137720.txt") == "baomoi/Thể thao & Bóng đá/21137720.txt"
    assert speed.source_of("The thao/TT_1.txt") == "VNTC"
    assert speed.source_of("baomoi/Thể thao & Bóng đá/21137720") == "baomoi"


def fake_archives(data: Path, vntc: list[str], baomoi: list[str]) -> None:
    """Archives at speed.py's paths under ``data`` holding a one-line article for each member."""
    for archive, members in ((speed.ARCHIVE, vntc), (speed.BAOMOI_ARCHIVE, baomoi)):
        (data / archive).parent.mkdir(parents=True)
        with tarfile.open(data / archive, "w:gz") as tar:
            for member in members:
                text = f"Bài {member}\nNội dung của bài.\n".encode()
                info = tarfile.TarInfo(member)
                info.size = len(text)
                tar.addfile(info, io.BytesIO(text))


def test_a_mixed_corpus_is_extracted_once_under_both_archives_places(tmp_path: Path, capsys) -> None:
    data, work = tmp_path / "data", tmp_path / "work"
    fake_archives(data, FAKE_VNTC, FAKE_BAOMOI)
    corpus = speed.prepare_corpus(data, work, "max", seed=0, sample=5)
    assert corpus.root == work / "vntc-baomoi-29" and (corpus.sample, corpus.seed) == (5, 0)
    files = corpus.seed_files()
    assert corpus.sources(files) == {"VNTC": 9, "baomoi": 20}
    assert (corpus.seeds / "baomoi" / "cat 1" / "21000001.txt").is_file()
    assert corpus.extra_file.is_file() and not corpus.extra_seed.exists()
    assert speed.prepare_corpus(data, work, 29, seed=0).root == corpus.root
    assert "reusing" in capsys.readouterr().err
    within = speed.prepare_corpus(data, work, 9, seed=0)
    assert within.root == work / "vntc-9" and within.sources(within.seed_files()) == {"VNTC": 9}
    (data / speed.BAOMOI_ARCHIVE).unlink()
    speed.archive_members.cache_clear()
    assert speed.prepare_corpus(data, work, 9, seed=0).root == within.root  # VNTC alone needs no baomoi
    with pytest.raises(SystemExit, match="baomoi"):
        speed.prepare_corpus(data, work, 10, seed=0)


def test_pyvi_alone_takes_a_seeded_random_sample_of_the_files(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    for name in [f"topic/{i:02d}.txt" for i in range(30)] + [f"baomoi/cat/{i:02d}.txt" for i in range(70)]:
        (seeds / name).parent.mkdir(parents=True, exist_ok=True)
        (seeds / name).write_text("Tiêu đề\n", encoding="utf-8")
    corpus = speed.Corpus(tmp_path, "topic/extra.txt", sample=20, seed=1)
    files = corpus.seed_files()
    sample = corpus.sample_of(files)
    assert len(sample) == 20 and sample == [path for path in files if path in set(sample)]
    assert corpus.sample_of(files) == sample  # seeded
    assert 0 < corpus.sources(sample)["VNTC"] < 20  # random, not a prefix of the sorted files
    assert speed.Corpus(tmp_path, "x", sample=20, seed=2).sample_of(files) != sample
    assert speed.Corpus(tmp_path, "x", sample=0).sample_of(files) == files  # 0: all
    assert speed.Corpus(tmp_path, "x", sample=100).sample_of(files) == files
    assert speed.Corpus.from_json(corpus.to_json()) == corpus


def test_growth_exponent_is_the_slope_on_log_log_axes() -> None:
    sizes = [10_000, 50_000, 177_031]
    assert speed.growth_exponent(sizes, [3e-5 * n**1.5 for n in sizes]) == pytest.approx(1.5)
    assert speed.growth_exponent(sizes, [0.02 * n for n in sizes]) == pytest.approx(1.0)
    assert speed.growth_exponent(sizes, [7.0, 7.0, 7.0]) == pytest.approx(0.0)
    assert speed.growth_exponent(sizes, [None, 2.0, 8.0]) == pytest.approx(2 / speed.math.log2(177_031 / 50_000))
    assert speed.growth_exponent(sizes, [None, None, 8.0]) is None  # one size left
    assert speed.growth_exponent([1000, 1000], [1.0, 2.0]) is None


def test_n_may_be_written_with_separators_or_as_max() -> None:
    assert speed.parse_args(["--n", "10,000", "--n", "50_000", "--n", "max"]).n == [10_000, 50_000, "max"]
    assert speed.parse_args([]).pyvi_sample == speed.PYVI_SAMPLE == 10_000
    for bad in ("0", "lots"):
        with pytest.raises(SystemExit):
            speed.parse_args(["--n", bad])


# -- known_item.py's queries, on real VNTC titles ---------------------------------------

#: VNTC titles as vnsearch reads them: headlines, two too short, one shared, and
#: one first paragraph (headline, caption and lead run together, as NLĐ's files have it).
VNTC_TITLES = [
    "Bồi dưỡng thêm 10.000 đồng cho mỗi cảnh sát giao thông",
    "Đêm nay bão số 5 đổ bộ các tỉnh từ Nam Định tới Hà Tĩnh",
    "UBND quận Gò Vấp “qua mặt” UBND TP.HCM",
    "Xử vụ sập nhà: Thầu xây dựng lãnh 9 năm tù",
    "Hàn Quốc sản xuất 100 tập phim 'Mùi ngò gai' tại VN",
    "Người cao tuổi nên ăn uống như thế nào?",
    "Sỏi mật",
    "Tin vắn ngày 28/5",
    "TP HCM sẽ tiếp thị các dự án cụ thể với nhà đầu tư",
    "TP HCM sẽ tiếp thị các dự án cụ thể với nhà đầu tư",
    "Miền Trung được mùa khách Thái Đoàn du khách Thái Lan tham quan và chụp hình ở Huế Gần đây, "
    "khách du lịch ở vùng đông bắc Thái Lan đi qua đường 9 Nam Lào đến các tỉnh miền Trung tăng đột biến",
]


def test_known_item_queries_are_runs_of_four_to_eight_title_words() -> None:
    docs = [Doc(f"topic/{n}", title, "Nội dung.") for n, title in enumerate(VNTC_TITLES)]
    questions, left_out = known_item.make_queries(docs, 10, seed=1)
    assert known_item.make_queries(docs, 10, seed=1)[0] == questions  # seeded
    assert known_item.make_queries(docs, 10, seed=2)[0] != questions
    assert left_out == {"fewer than 4 words": 2, "shared with another article": 2, "more than 20 words (a paragraph)": 1}
    assert sorted(q.answer_id for q in questions) == [f"topic/{n}" for n in range(6)]  # every headline, once
    for q in questions:
        words, title = q.text.split(), known_item.title_words(docs[int(q.answer_id.split("/")[1])].title)
        assert 4 <= len(words) <= 8 and any(title[i : i + len(words)] == words for i in range(len(title)))
        assert not {"10", "000", "“", "?"} & set(words)  # no bare numbers, no punctuation
    assert known_item.title_words("UBND quận Gò Vấp “qua mặt” UBND TP.HCM") == [
        "UBND", "quận", "Gò", "Vấp", "qua", "mặt", "UBND", "TP", "HCM"
    ]  # fmt: skip
    storm = next(q for q in known_item.folded(questions) if q.answer_id == "topic/1")
    assert storm.text in "Dem nay bao so do bo cac tinh tu Nam Dinh toi Ha Tinh"  # no diacritics, đ → d
    assert len(known_item.make_queries(docs, 3, seed=1)[0]) == 3


# -- abbreviation_recall.py ------------------------------------------------------------


def test_abbreviation_recall_reads_either_form_in_any_spelling() -> None:
    import abbreviation_recall as ar
    from vnsearch.abbreviations import Abbreviation

    pairs = [Abbreviation("TP.HCM", "Thành phố Hồ Chí Minh"), Abbreviation("UBND", "Ủy ban nhân dân"),
             Abbreviation("CAN", "Công an nhân"), Abbreviation("OCA", "Olympic châu Á")]  # fmt: skip
    docs = [
        Doc("a", "Tin Tp HCM", "Uỷ Ban  nhân-dân quận 1 họp."),  # S spelled apart, L with old tone placement
        Doc("b", "", "UBND TPHCM cần làm gì"),  # S twice, "cần" is no CAN
        Doc("c", "Thành phố Hồ", "Chí Minh, CAN, ô cá"),  # L across title and body is not written
    ]
    texts = ar.read_texts(docs, pairs)
    assert [ar.writes_short(texts[d], "TP.HCM") for d in "abc"] == [True, True, False]
    assert [ar.writes_short(texts[d], "UBND") for d in "abc"] == [False, True, False]
    assert [ar.writes_short(texts[d], "CAN") for d in "abc"] == [False, False, True]  # a key that is a syllable
    assert not any(ar.writes_short(texts[d], "OCA") for d in "abc")  # two runs, two words: not "O CA"
    assert [ar.writes_long(texts[d], "ủy ban nhân dân") for d in "abc"] == [True, False, False]
    assert not ar.writes_long(texts["c"], "Thành phố Hồ Chí Minh")
    queries = {(q.direction, q.text): q.relevant for q in ar.make_queries(ar.BUILTIN, pairs[1:2], texts)}
    assert queries == {(ar.S_TO_L, "UBND"): {"a"}, (ar.L_TO_S, "Ủy ban nhân dân"): {"b"},
                       (ar.QUOTED_L_TO_S, '"Ủy ban nhân dân"'): {"b"}}  # fmt: skip
    hcm = ar.make_queries(ar.BUILTIN, pairs[:1], texts)
    assert [(q.direction, q.relevant) for q in hcm] == [(ar.L_TO_S, {"a", "b"}), (ar.QUOTED_L_TO_S, {"a", "b"})]
    # no article writes the long form alone: no S → L query


@pytest.fixture(scope="module")
def seeds_archive(tmp_path_factory) -> Path:
    """A shared data folder whose VNTC archive holds the repository's seeds, twice (one is held back).

    004 writes "Ủy ban nhân dân" and never "UBND", 002 and 003 "UBND" and never the long form.
    """
    from conftest import SEEDS

    root = tmp_path_factory.mktemp("seeds-archive")
    for topic in ("a", "b"):
        folder = root / "articles" / topic
        folder.mkdir(parents=True)
        for path in sorted(SEEDS.glob("*.txt")):
            (folder / path.name).write_bytes(path.read_bytes())
    pack_vntc(root / "articles", root)
    return root


def abbreviation_recall_rows(out: str) -> dict[tuple[str, str], dict[str, list[str]]]:
    """The main table's rows: by (pairs, direction), each system's cells."""
    rows: dict[tuple[str, str], dict[str, list[str]]] = {}
    for row in table_rows(out.split("## ")[0]):
        if row[0]:
            current = (row[0], row[1])
        rows.setdefault(current, {})[row[4]] = row
    return rows


def check_abbreviation_recall(out: str) -> dict[tuple[str, str], dict[str, list[str]]]:
    """The table's structure, and vnsearch finding at least what it does without expanding."""
    rows = abbreviation_recall_rows(out)
    assert rows
    for (group, direction), systems in rows.items():
        assert group in ("learned", "built-in") and direction in ("S → L", "L → S", '"L" → S')
        assert list(systems) == ["vnsearch", "vnsearch --no-expand", "SQLite FTS5"]
        recall = {name: float(cells[5].strip("*")) for name, cells in systems.items()}
        assert all(0 <= r <= 1 for r in recall.values())
        assert recall["vnsearch"] >= recall["vnsearch --no-expand"]
        for cells in systems.values():
            assert 0 <= float(cells[7]) <= 1 and float(cells[8]) >= 0  # top 10 writing S or L, ms
    return rows


@slow
def test_abbreviation_recall_benchmark_finds_the_long_form_of_ubnd_in_the_seeds(seeds_archive: Path,
                                                                                tmp_path: Path) -> None:  # fmt: skip
    out = run("abbreviation_recall.py", "--n", "9", "--limit", "5", "--data", str(seeds_archive),
              "--work", str(tmp_path / "work"), "--out", str(tmp_path))  # fmt: skip
    rows = check_abbreviation_recall(out)
    assert {("built-in", "S → L"), ("built-in", "L → S")} <= set(rows)
    examples = table_rows(out.split("## The queries with the most relevant articles")[1].split("## ")[0])
    ubnd = next(row for row in examples if row[1] == "S → L" and row[2] == "`UBND`")
    assert int(ubnd[3]) >= 1 and [float(r) for r in ubnd[4:]] == [1.0, 0.0, 0.0]  # 004 found by expanding alone
    long = next(row for row in examples if row[1] == "L → S" and row[2] == "`Ủy ban nhân dân (UBND)`")
    assert int(long[3]) >= 2 and float(long[4]) == 1.0  # 002 and 003 (a copy may be held back)
    assert "9 VNTC articles" in out
    assert not (tmp_path / "abbreviation_recall-latest.md").exists()  # a --limit run saves nothing


@slow
@pytest.mark.shared_data("vntc")
def test_abbreviation_recall_benchmark_runs_on_real_articles(vntc_sample: Path, tmp_path: Path) -> None:
    out = run("abbreviation_recall.py", "--n", "200", "--limit", "2", "--data", str(vntc_sample),
              "--work", str(tmp_path / "work"), "--out", str(tmp_path))  # fmt: skip
    check_abbreviation_recall(out)
    assert "200 VNTC articles" in out
    assert not (tmp_path / "abbreviation_recall-latest.md").exists()


def serve_rows(out: str) -> dict[tuple[str, str], list[str]]:
    """serve.py's table: by (run, clients), the other cells."""
    return {(row[0], row[1]): row[2:] for row in table_rows(out)}


@slow
def test_serve_benchmark_loads_the_server_without_errors(seed_data: Path, tmp_path: Path) -> None:
    """serve.py on 30 seed-made articles, 1 s a row: every row there, no error, the rebuild seen."""
    out = run("serve.py", "--n", "30", "--limit", "30", "--seconds", "1", "--data", str(seed_data),
              "--work", str(tmp_path / "work"), "--out", str(tmp_path))  # fmt: skip
    assert "30 VNTC articles, 200 queries" in out
    rows = serve_rows(out)
    assert list(rows) == [
        ("in-process `Searcher`, sequential", "1"),
        ("serve --workers 1", "8"), ("serve --workers 1", "32"),
        ("serve --workers 2", "8"), ("serve --workers 2", "32"),
        ("serve --workers 2 during `index --rebuild`", "8"),
    ]  # fmt: skip
    for (run_name, _), cells in rows.items():
        seconds, requests, per_second, around, ratio, p50, p95, p99, errors, client_cpu, server_cpu = cells
        assert int(requests.replace(",", "")) > 0 and float(per_second.replace(",", "")) > 0
        per_second, around = float(per_second.replace(",", "")), float(around.replace(",", ""))
        assert abs(float(ratio) - per_second / around) < 0.01
        assert float(p50) <= float(p95) <= float(p99)
        assert errors == "0"
        assert float(client_cpu) >= 0 and (server_cpu == "") == run_name.startswith("in-process")
    assert rows[("in-process `Searcher`, sequential", "1")][4] == "1.00"
    assert "in 6 slices of 1 s or so, one before the first served row and one after each" in out
    assert "- ✓ 0 errors: 0" in out
    assert "- ✓ during `index --rebuild`: 0 errors, then the new generation" in out
    assert "every one of 10 answers after the load from the new generation" in out
    assert not (tmp_path / "serve-latest.md").exists()  # a --limit run saves nothing


@slow
def test_cluster_benchmark_builds_on_a_real_cluster(seed_data: Path, tmp_path: Path) -> None:
    """cluster.py on 30 seed-made articles: every build there with every article, the extrapolation."""
    out = run("cluster.py", "--n", "30", "--limit", "30", "--data", str(seed_data),
              "--work", str(tmp_path / "work"), "--out", str(tmp_path))  # fmt: skip
    builds = table_rows(out.split("## Extrapolated")[0])
    assert [row[0] for row in builds] == ["one machine, --jobs 2", "cluster, 2 workers", "one machine, --jobs 2",
                                          "cluster, 1 worker", "one machine, --jobs 2", "cluster, 2 workers",
                                          "one machine, --jobs 2"]  # fmt: skip
    for label, workers, seconds, rate, ratio, all_cpu, cpu, share, listing, reading, adopting, sent, received in (
        row for row in builds if row[0].startswith("cluster")
    ):
        assert float(seconds) > 0 and float(all_cpu) > float(cpu) > 0 and int(sent.replace(",", "")) > 1000
        assert int(received.replace(",", "")) > 0
    assert "Extrapolated to 10,000,000 articles" in out and "| 128 |" in out
    assert not (tmp_path / "cluster-latest.md").exists()  # a --limit run saves nothing


@slow
def test_adding_benchmark_compares_add_with_index(seed_data: Path, tmp_path: Path) -> None:
    """adding.py on 30 seed-made articles: every row, and the re-run of an import all unchanged."""
    out = run("adding.py", "--n", "30", "--data", str(seed_data), "--work", str(tmp_path / "work"),
              "--out", str(tmp_path / "out"))  # fmt: skip
    rows = {line.split(" | ")[0].lstrip("| "): line for line in out.splitlines() if line.startswith("| ")}
    assert list(rows)[1:] == [
        "index --jobs 1 (first)", "index --jobs 2", "export (to JSON Lines)", "add (a new index)",
        "add again (all unchanged)", "add of every article changed (upserts)", "index --jobs 1 (last)",
    ]  # fmt: skip
    assert "30 VNTC articles" in out and not (tmp_path / "out").exists()  # a smoke run saves nothing
