"""Tests of the ``vnsearch`` command through click's CliRunner."""

from __future__ import annotations

import codecs
import json
import re
import shutil
import unicodedata
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from click.testing import CliRunner, Result

import vnsearch
import vnsearch.indexing
import vnsearch.searching
from conftest import SEED_IDS, SEEDS, corpus_cases, write_article
from vnsearch import storage, update_index
from vnsearch.cli import main
from vnsearch.text import fold

# click 8.2 dropped mix_stderr: a plain CliRunner keeps stdout and stderr apart
# (pyproject.toml requires click>=8.2; this says so if an older one is installed).
assert tuple(int(p) for p in version("click").split(".")[:2]) >= (8, 2)

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SUMMARY = re.compile(
    r"(\d+) added, (\d+) updated, (\d+) removed, (\d+) unchanged, (\d+) skipped"
)
HIT_KEYS = {
    "category", "source",
    "id", "path", "title", "date", "author", "url", "site", "score", "snippet", "highlights",
}
A000, A001, A002, A003, A004 = (SEED_IDS[k] for k in ("000", "001", "002", "003", "004"))

MARKET = (
    "Người dân các xã vùng cao mang hàng hóa xuống chợ phiên để bán.\n\n"
    "Bà cụ bày rau rừng trên chiếc bàn gỗ nhỏ, đến trưa đã bán hết hàng."
)
FOOTBALL = (
    "Tối 20/11, đội tuyển bóng đá quốc gia Việt Nam đã giành chiến thắng 2-0 trước "
    "Thái Lan trên sân vận động Mỹ Đình."
)


@pytest.fixture(autouse=True)
def _no_outside_env(monkeypatch) -> None:
    monkeypatch.delenv("VNSEARCH_SEEDS", raising=False)
    monkeypatch.delenv("VNSEARCH_INDEX", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def env(pristine_seeds: Path, built_index: Path) -> dict[str, str]:
    """Environment pointing the CLI at the prebuilt (read-only) seed index."""
    return {"VNSEARCH_SEEDS": str(pristine_seeds), "VNSEARCH_INDEX": str(built_index)}


@pytest.fixture(scope="module")
def market_env(tmp_path_factory) -> dict[str, str]:
    """Seeds plus an article with ``bàn``/``bán`` but no ``bản``, indexed (read-only)."""
    root = tmp_path_factory.mktemp("market")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    write_article(seeds, "cho_phien", "Chợ phiên vùng cao", MARKET, byline="Lò Văn Sơn")
    update_index(seeds, root / "index")
    return {"VNSEARCH_SEEDS": str(seeds), "VNSEARCH_INDEX": str(root / "index")}


def run(runner: CliRunner, args: list[str], env: dict[str, str] | None = None) -> Result:
    result = runner.invoke(main, args, env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return result


def search_json(runner, args, env) -> dict:
    result = run(runner, ["search", "--json", *args], env)
    data = json.loads(result.stdout)
    assert result.exit_code == (0 if data["hits"] else 1), result.stderr
    return data


def hit_ids(data: dict) -> list[str]:
    return [hit["id"] for hit in data["hits"]]


def assert_error_line(result: Result, code: int = 2) -> str:
    """The command failed with ``code`` and said why in one ``vnsearch:`` line."""
    assert result.exit_code == code
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vnsearch: ")
    return lines[0]


# --- search builds a missing index --------------------------------------------------------


def test_search_builds_missing_index(runner, seeds_dir: Path, monkeypatch) -> None:
    monkeypatch.chdir(seeds_dir.parent)
    result = run(runner, ["search", "dân số"])
    assert result.exit_code == 0
    assert "building" in result.stderr.lower()
    assert (seeds_dir.parent / "index" / "CURRENT.json").is_file()
    assert '4 results for "dân số"' in result.stdout
    assert "HỘI NGHỊ GIAO BAN CÔNG TÁC DÂN SỐ QUÝ II NĂM 2024" in result.stdout
    assert A004 in result.stdout

    again = run(runner, ["search", "dân số"])
    assert again.exit_code == 0
    assert again.stderr == ""
    assert "Built" not in again.stdout
    assert again.stdout in result.stdout  # same hits, without the build summary


def test_env_vars_are_honoured(runner, seeds_dir: Path, tmp_path: Path, monkeypatch) -> None:
    articles = seeds_dir.rename(tmp_path / "bai_viet")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    env = {"VNSEARCH_SEEDS": str(articles), "VNSEARCH_INDEX": str(tmp_path / "chi_muc")}
    result = run(runner, ["search", "--json", "trẻ em"], env)
    assert result.exit_code == 0
    assert "bai_viet" in result.stderr
    assert (tmp_path / "chi_muc" / "CURRENT.json").is_file()
    assert not (elsewhere / "index").exists()

    data = search_json(runner, ["trẻ em"], env)
    assert A002 in hit_ids(data)
    assert all(hit["path"].startswith(str(articles)) for hit in data["hits"])

    stats = run(runner, ["stats"], env)
    assert re.search(r"articles:\s+5\b", stats.stdout)
    # an option beats the environment
    missing = run(runner, ["stats", "--index", str(tmp_path / "khong_co")], env)
    assert_error_line(missing)


def test_json_output_parses_when_index_is_built_on_the_fly(
    runner, seeds_dir: Path, monkeypatch
) -> None:
    monkeypatch.chdir(seeds_dir.parent)
    result = run(runner, ["search", "--json", "dân số"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["total"] == 4  # the build summary is not on stdout
    assert "building" in result.stderr.lower()


# --- JSON output --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "words", "folded"),
    [
        ("dan so", {"dan", "so"}, True),
        ("dân số", {"dân", "số"}, False),
        ("tre em", {"tre", "em"}, True),
        ("kế hoạch", {"kế", "hoạch"}, False),
    ],
)
def test_json_output(runner, env, query: str, words: set[str], folded: bool) -> None:
    data = search_json(runner, [query], env)
    assert set(data) >= {"query", "total", "hits"}
    assert data["query"] == query
    assert data["relaxed"] is False
    assert data["total"] == len(data["hits"]) > 0
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
        assert hit["id"] in SEED_IDS.values()
        assert hit["path"].endswith(hit["id"] + ".txt")
        assert hit["title"]
        assert hit["date"] is None or DATE.fullmatch(hit["date"])
        assert isinstance(hit["score"], (int, float)) and hit["score"] > 0
        assert 0 < len(hit["snippet"]) <= 260
        assert "\n" not in hit["snippet"]
        assert hit["highlights"], hit
        for start, end in hit["highlights"]:
            word = hit["snippet"][start:end]
            form = fold(word).lower() if folded else word.lower()
            assert form in words, (word, hit["snippet"])
    scores = [hit["score"] for hit in data["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_json_metadata_of_seed(runner, env) -> None:
    data = search_json(runner, ['author:"Trần Lộc"'], env)
    (hit,) = data["hits"]
    assert hit["id"] == A000
    assert hit["date"] == "2024-01-11"
    assert hit["author"] == "Trần Lộc"
    assert hit["site"] == "baocaobang.vn"
    assert hit["url"].startswith("https://baocaobang.vn/")


# --- options ------------------------------------------------------------------------------


def test_limit(runner, env) -> None:
    data = search_json(runner, ["-n", "1", "dan so"], env)
    assert len(data["hits"]) == 1
    assert data["total"] == 5
    text = run(runner, ["search", "--limit", "1", "dan so"], env)
    assert text.exit_code == 0
    assert "5 results" in text.stdout and "showing 1" in text.stdout
    assert re.search(r"^ 1\. ", text.stdout, re.M)
    assert not re.search(r"^ 2\. ", text.stdout, re.M)


@pytest.mark.parametrize(
    ("since", "until"),
    [("2024-01-01", "2024-12-31"), ("2024", "2024"), ("01/01/2024", "2024-12")],
)
def test_since_until(runner, env, since: str, until: str) -> None:
    data = search_json(runner, ["--since", since, "--until", until, "dan so"], env)
    assert sorted(hit_ids(data)) == [A000, A002, A004]
    assert all(hit["date"].startswith("2024-") for hit in data["hits"])


def test_since_only_and_until_only(runner, env) -> None:
    later = search_json(runner, ["--since", "2024-01-20", "dan so"], env)
    assert sorted(hit_ids(later)) == [A002, A004]
    earlier = search_json(runner, ["--until", "2024-01-11", "dan so"], env)
    assert sorted(hit_ids(earlier)) == [A000, A001]  # the day itself is included


@pytest.mark.parametrize("site", ["baocaobang.vn", "BaoCaoBang.vn", "https://www.baocaobang.vn/x"])
def test_site(runner, env, site: str) -> None:
    data = search_json(runner, ["--site", site, "dan so"], env)
    assert hit_ids(data) == [A000]
    assert data["hits"][0]["site"] == "baocaobang.vn"


def test_unknown_site_finds_nothing(runner, env) -> None:
    result = run(runner, ["search", "--site", "vnexpress.net", "dân số"], env)
    assert result.exit_code == 1  # as grep: nothing found
    assert "No results" in result.stdout


def test_sort_by_date_newest_first_and_undated_last(runner, env) -> None:
    data = search_json(runner, ["--sort", "date", "dan so"], env)
    assert sorted(hit_ids(data)) == sorted(SEED_IDS.values())
    dates = [hit["date"] for hit in data["hits"]]
    assert dates[-1] is None
    assert dates[:-1] == sorted(dates[:-1], reverse=True)
    assert dates[0] == "2024-06-20"


def test_any_words_finds_more(runner, env) -> None:
    all_words = search_json(runner, ["quân trẻ em"], env)
    assert hit_ids(all_words) == [A000]
    any_words = search_json(runner, ["--any", "quân trẻ em"], env)
    assert len(any_words["hits"]) > len(all_words["hits"])
    assert any_words["hits"][0]["id"] == A000  # the one with every word ranks first
    assert any_words["relaxed"] is False

    mixed = search_json(runner, ["--any", "dân số bóng đá"], env)
    assert mixed["relaxed"] is False
    assert len(mixed["hits"]) >= 4


def test_all_words_falls_back_to_any(runner, env) -> None:
    data = search_json(runner, ["dân số bóng đá"], env)
    assert data["relaxed"] is True
    assert len(data["hits"]) >= 4
    assert {A000, A001, A003, A004} <= set(hit_ids(data))
    text = run(runner, ["search", "dân số bóng đá"], env)
    assert text.exit_code == 0
    assert "No article has all the words" in text.output
    assert A004 in text.stdout


def test_nothing_found(runner, env) -> None:
    result = run(runner, ["search", "xyzzy"], env)
    assert result.exit_code == 1
    assert 'No results for "xyzzy"' in result.stdout
    data = search_json(runner, ["xyzzy"], env)
    assert data["total"] == 0 and data["hits"] == []
    jsonl = run(runner, ["search", "--jsonl", "xyzzy"], env)
    assert jsonl.exit_code == 1 and jsonl.stdout == ""


def test_jsonl_prints_one_hit_per_line(runner, env) -> None:
    result = run(runner, ["search", "--jsonl", "-n", "3", "dan so"], env)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    hits = [json.loads(line) for line in lines]
    assert all(set(hit) == HIT_KEYS for hit in hits)
    assert hits == search_json(runner, ["-n", "3", "dan so"], env)["hits"]


def test_json_and_jsonl_together_is_a_usage_error(runner, env) -> None:
    assert_error_line(run(runner, ["search", "--json", "--jsonl", "dân số"], env))


def test_facets_print_a_line_per_facet(runner, env) -> None:
    result = run(runner, ["search", "--facets", "dân số"], env)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    year, site, category = lines[-3:]
    assert year.startswith("year") and "2024 2" in year and "undated" in year
    assert site.startswith("site") and "baocaobang.vn 1" in site
    assert category.startswith("category") and "no category 4" in category


@pytest.mark.parametrize(
    "corpus_index, query, lines",
    corpus_cases(
        news=[(  # 9 years, 7 sites, 3 categories, and articles without each
            "dan so OR tre em OR quan",
            [r"year +(\d{4} \d+ · ){6}\+3 more · undated \d+",
             r"site +([a-z.]+ \d+ · ){6}\+1 more · no site \d+",
             r"category +((tre-em|dan-so|quoc-phong) \d+ · ){3}no category \d+"],
        )],
        vntc=[(  # 10 topic folders, no source lines
            "dân",
            [r"year +(\d{4} \d+ · ){1,6}(\+\d+ more · )?undated \d+",
             r"site +no site \d+",
             r"category +([^·]+ \d+ · ){6}\+4 more( · no category \d+)?"],
        )],
    ),
    indirect=["corpus_index"],
)
def test_facets_show_six_values_then_those_without_one(runner, corpus_index: Path, query, lines) -> None:
    result = run(runner, ["search", "--facets", "--index", str(corpus_index), query])
    assert result.exit_code == 0
    for line, pattern in zip(result.stdout.splitlines()[-3:], lines, strict=True):
        assert re.fullmatch(pattern, line), line


def test_facets_in_json(runner, env) -> None:
    data = search_json(runner, ["--facets", "dân số"], env)
    assert set(data["facets"]) == {"year", "site", "category"}
    assert {"value": "baocaobang.vn", "count": 1} in data["facets"]["site"]
    assert all(sum(c["count"] for c in counts) == data["total"] for counts in data["facets"].values())
    assert search_json(runner, ["dân số"], env)["facets"] is None


def test_facets_with_jsonl_is_a_usage_error(runner, env) -> None:
    assert_error_line(run(runner, ["search", "--jsonl", "--facets", "dân số"], env))


# --- did you mean -------------------------------------------------------------------------


def test_did_you_mean_shows_the_accented_query_above_the_results(runner, env) -> None:
    result = run(runner, ["search", "dan so"], env)
    assert result.exit_code == 0
    first, second = result.stdout.splitlines()[:2]
    assert first == "Did you mean / Có phải bạn muốn tìm: dân số"
    assert "--exact-suggestion" in second
    assert 'results for "dan so"' in result.stdout  # the results are the typed query's


def test_exact_suggestion_searches_for_it(runner, env) -> None:
    result = run(runner, ["search", "--exact-suggestion", "dan so"], env)
    assert result.exit_code == 0
    assert result.stdout.startswith('Showing results for "dân số" instead of "dan so".')
    assert "Did you mean" not in result.stdout  # no other reading is as likely
    assert 'results for "dân số"' in result.stdout


def test_a_typo_that_finds_nothing_still_gets_its_suggestion(runner, env) -> None:
    result = run(runner, ["search", "nguoii"], env)
    assert result.exit_code == 1
    assert "Did you mean / Có phải bạn muốn tìm: người" in result.stdout
    data = search_json(runner, ["nguoii"], env)
    assert data["total"] == 0 and data["suggestions"] == ["người"]
    fixed = search_json(runner, ["--exact-suggestion", "nguoii"], env)
    assert fixed["query"] == "người" and fixed["instead_of"] == "nguoii" and fixed["total"] > 0


def test_json_carries_suggestions(runner, env) -> None:
    data = search_json(runner, ["dan so"], env)
    assert data["suggestions"] == ["dân số"] and data["instead_of"] is None
    assert search_json(runner, ["dân số"], env)["suggestions"] == []


# --- pages --------------------------------------------------------------------------------


def test_offset_shows_the_next_page(runner, env) -> None:
    first = search_json(runner, ["-n", "2", "dân"], env)
    second = search_json(runner, ["-n", "2", "--offset", "2", "dân"], env)
    assert second["offset"] == 2 and first["offset"] == 0
    assert hit_ids(second) == hit_ids(search_json(runner, ["-n", "4", "dân"], env))[2:]
    result = run(runner, ["search", "-n", "2", "--offset", "2", "dân"], env)
    assert f'{first["total"]} results for "dân", showing 3–4' in result.stdout
    assert "\n 3. " in result.stdout  # ranks go on from the page before


def test_an_offset_past_the_last_hit_says_so(runner, env) -> None:
    result = run(runner, ["search", "--offset", "100", "dân"], env)
    assert result.exit_code == 1 and "--offset 100 is past the last." in result.stdout


# --- abbreviations ------------------------------------------------------------------------


def test_an_abbreviation_also_searches_its_long_form(runner, env) -> None:
    result = run(runner, ["search", "TP.HCM"], env)
    assert result.exit_code == 0
    assert "Also searched / Tìm cả: Thành phố Hồ Chí Minh" in result.stdout
    data = search_json(runner, ["UBND"], env)
    assert data["expanded"] == ["Ủy ban nhân dân"] and len(data["hits"]) == 3


def test_no_expand_searches_as_typed(runner, env) -> None:
    result = run(runner, ["search", "--no-expand", "TP.HCM"], env)
    assert result.exit_code == 1 and "Also searched" not in result.stdout
    data = search_json(runner, ["--no-expand", "UBND"], env)
    assert data["expanded"] == [] and len(data["hits"]) == 2


def test_a_synonyms_file_adds_and_vetoes(runner, env, tmp_path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("!UBND\nDS = Dân số\n", encoding="utf-8")
    assert search_json(runner, ["--synonyms", str(path), "UBND"], env)["expanded"] == []
    assert search_json(runner, ["--synonyms", str(path), "DS"], env)["expanded"] == ["Dân số"]


def test_a_bad_synonyms_file_is_one_line(runner, env, tmp_path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("UBND Ủy ban nhân dân\n", encoding="utf-8")
    line = assert_error_line(run(runner, ["search", "--synonyms", str(path), "UBND"], env))
    assert "line 1" in line and "synonyms.txt" in line
    missing = assert_error_line(run(runner, ["search", "--synonyms", str(tmp_path / "none.txt"), "UBND"], env))
    assert "none.txt" in missing


# --- diacritics ---------------------------------------------------------------------------


def test_accented_word_matches_exactly(runner, env) -> None:
    assert hit_ids(search_json(runner, ["quân"], env)) == [A000]  # "toàn quân"


def test_accented_word_does_not_match_other_tones(runner, market_env) -> None:
    exact = search_json(runner, ["bản"], market_env)
    assert "cho_phien" not in hit_ids(exact)
    assert exact["relaxed"] is False
    assert "cho_phien" in hit_ids(search_json(runner, ["bàn"], market_env))
    assert "cho_phien" in hit_ids(search_json(runner, ["bán"], market_env))


def test_unaccented_word_matches_every_tone(runner, market_env) -> None:
    data = search_json(runner, ["-n", "20", "ban"], market_env)
    assert sorted(hit_ids(data)) == sorted([*SEED_IDS.values(), "cho_phien"])
    market = next(hit for hit in data["hits"] if hit["id"] == "cho_phien")
    marked = {market["snippet"][s:e] for s, e in market["highlights"]}
    assert marked == {"bán", "bàn"}


@pytest.mark.parametrize(
    "variant",
    [unicodedata.normalize("NFD", "dân số"), "DÂN SỐ", "Dân Số", '"dân so"'],
    ids=["nfd", "upper", "title-case", "mixed-phrase"],
)
def test_spelling_variants_match_the_same(runner, env, variant: str) -> None:
    expected = hit_ids(search_json(runner, ["dân số"], env))
    assert sorted(hit_ids(search_json(runner, [variant], env))) == sorted(expected)


@pytest.mark.parametrize(
    "phrase",
    ['"kế hoạch hóa gia đình"', '"kế hoạch hoá gia đình"', '"ke hoach hoa gia dinh"', '"KẾ HOẠCH HÓA GIA ĐÌNH"'],
)
def test_phrase_variants(runner, env, phrase: str) -> None:
    assert sorted(hit_ids(search_json(runner, [phrase], env))) == [A000, A001, A003, A004]


# --- query syntax -------------------------------------------------------------------------


def test_phrase_is_stricter_than_words(runner, env) -> None:
    # 002 has "gia đình" but not the phrase "kế hoạch hóa gia đình"
    words = search_json(runner, ["gia đình"], env)
    assert A002 in hit_ids(words)
    assert A002 not in hit_ids(search_json(runner, ['"kế hoạch hóa gia đình"'], env))


def test_author_field(runner, env) -> None:
    assert hit_ids(search_json(runner, ['author:"Trần Lộc"'], env)) == [A000]
    assert hit_ids(search_json(runner, ['author:"tran loc"'], env)) == [A000]


def test_title_field(runner, env) -> None:
    data = search_json(runner, ['title:"trẻ em"'], env)
    assert A002 in hit_ids(data)
    assert all("trẻ em" in hit["title"].lower() for hit in data["hits"])


def test_operators(runner, env) -> None:
    either = search_json(runner, ['quân OR "Bắc Kạn"'], env)
    assert sorted(hit_ids(either)) == [A000, A002]
    without = search_json(runner, ["dan so NOT quân"], env)
    assert A000 not in hit_ids(without) and without["total"] == 4


# --- index, show, stats -------------------------------------------------------------------


def test_index_command_summary(runner, seeds_dir: Path, tmp_path: Path) -> None:
    env = {"VNSEARCH_SEEDS": str(seeds_dir), "VNSEARCH_INDEX": str(tmp_path / "index")}
    first = run(runner, ["index"], env)
    assert first.exit_code == 0
    assert [tuple(map(int, m)) for m in SUMMARY.findall(first.stdout)] == [(5, 0, 0, 0, 0)]

    write_article(seeds_dir, "the_thao", "Việt Nam thắng Thái Lan", FOOTBALL)
    (seeds_dir / f"{A003}.txt").unlink()
    second = run(runner, ["index"], env)
    assert second.exit_code == 0
    assert [tuple(map(int, m)) for m in SUMMARY.findall(second.stdout)] == [(1, 0, 1, 4, 0)]
    assert second.stderr == ""

    rebuilt = run(runner, ["index", "--rebuild"], env)
    assert rebuilt.exit_code == 0
    assert "Rebuilt" in rebuilt.stdout
    assert SUMMARY.search(rebuilt.stdout).groups() == ("5", "0", "0", "0", "0")


def test_index_with_worker_processes(runner, seeds_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(vnsearch.indexing, "PARALLEL_MIN_FILES", 0)  # even five files
    env = {"VNSEARCH_SEEDS": str(seeds_dir), "VNSEARCH_INDEX": str(tmp_path / "index")}
    result = run(runner, ["index", "--rebuild", "--jobs", "2"], env)
    assert result.exit_code == 0
    assert SUMMARY.search(result.stdout).groups() == ("5", "0", "0", "0", "0")
    assert len(hit_ids(search_json(runner, ["dan so"], env))) == 5


def test_index_jobs_must_be_positive(runner, seeds_dir: Path, tmp_path: Path) -> None:
    env = {"VNSEARCH_SEEDS": str(seeds_dir), "VNSEARCH_INDEX": str(tmp_path / "index")}
    line = assert_error_line(run(runner, ["index", "--jobs", "0"], env))
    assert "--jobs" in line


def test_index_warns_about_binary_file(runner, seeds_dir: Path, tmp_path: Path) -> None:
    (seeds_dir / "hinh_anh.txt").write_bytes(b"\x00\x01PNG\r\n\x1a\n\x00\x00IHDR")
    (seeds_dir / "windows.txt").write_bytes(
        codecs.BOM_UTF16_LE
        + "Việt Nam thắng Thái Lan\r\n\r\n{}\r\n".format(FOOTBALL).encode("utf-16-le")
    )
    env = {"VNSEARCH_SEEDS": str(seeds_dir), "VNSEARCH_INDEX": str(tmp_path / "index")}
    result = run(runner, ["index"], env)
    assert result.exit_code == 0
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1
    assert warnings[0].startswith("vnsearch: ") and "hinh_anh.txt" in warnings[0]
    assert SUMMARY.search(result.stdout).groups() == ("6", "0", "0", "0", "1")
    assert hit_ids(search_json(runner, ['"bóng đá"'], env)) == ["windows"]


def test_index_is_locked(runner, seeds_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(storage, "LOCK_WAIT", 0.3)
    env = {"VNSEARCH_SEEDS": str(seeds_dir), "VNSEARCH_INDEX": str(tmp_path / "index")}
    assert run(runner, ["index"], env).exit_code == 0
    writer = storage.open_index(tmp_path / "index").writer()
    try:
        assert "another" in assert_error_line(run(runner, ["index"], env))
        assert_error_line(run(runner, ["index", "--rebuild"], env))
    finally:
        writer.cancel()
    assert run(runner, ["index"], env).exit_code == 0


def test_show(runner, env) -> None:
    result = run(runner, ["show", A000], env)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Hội nghị trực tuyến tổng kết công tác dân số, gia đình và trẻ em toàn quân"
    )
    assert re.search(r"date: 2024-01-11$", result.stdout, re.M)
    assert re.search(r"author: Trần Lộc$", result.stdout, re.M)
    assert "Ngày 11/1, Bộ Quốc phòng tổ chức hội nghị" in result.stdout
    assert result.stderr == ""


def test_show_json(runner, env) -> None:
    result = run(runner, ["show", "--json", A000], env)
    data = json.loads(result.stdout)
    assert data["date"] == "2024-01-11"
    assert data["author"] == "Trần Lộc"
    assert data["id"] == A000
    assert "Nguồn" not in data["body"] and "Trần Lộc" not in data["body"]


def test_show_unknown_id(runner, env) -> None:
    line = assert_error_line(run(runner, ["show", "nope"], env))
    assert "nope" in line


def test_stats(runner, env) -> None:
    result = run(runner, ["stats"], env)
    assert result.exit_code == 0
    assert re.search(r"^articles:\s+5 \(5 from files\)$", result.stdout, re.M)
    data = json.loads(run(runner, ["stats", "--json"], env).stdout)
    assert data["articles"] == 5
    assert data["terms"] > 0 and data["size_bytes"] > 0
    assert data["updated"] is not None


def test_no_command_prints_help(runner) -> None:
    result = run(runner, [])
    assert result.exit_code == 0
    assert "search" in result.stdout and "index" in result.stdout


def test_version(runner) -> None:
    result = run(runner, ["--version"])
    assert result.exit_code == 0
    assert "0.1.0" in result.stdout


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["search", ""],
        ["search", "   "],
        ["search"],
        ["search", "dân", "--since", "2024-13-45"],
        ["search", "dân", "--until", "31/02/2024"],
        ["search", "dân", "--since", "hôm qua"],
        ["search", "dân", "--since", "2025", "--until", "2024"],
    ],
    ids=["empty", "blank", "no-arg", "bad-since", "bad-until", "words-date",
         "since-after-until"],
)
def test_bad_search_input(runner, env, args) -> None:
    assert_error_line(run(runner, args, env))


@pytest.mark.parametrize(
    "args",
    [["search", "--limit", "0", "dân"], ["search", "-n", "x", "dân"],
     ["search", "--sort", "tên", "dân"], ["frobnicate"]],
)
def test_usage_errors(runner, env, args) -> None:
    line = assert_error_line(run(runner, args, env))
    assert "--help" in line


def test_unknown_field_message_lists_fields(runner, env) -> None:
    line = assert_error_line(run(runner, ["search", "foo:bar"], env))
    assert "foo" in line and "title" in line and "author" in line


@pytest.mark.parametrize("command", [["show", A000], ["stats"]])
def test_no_index(runner, tmp_path: Path, command) -> None:
    env = {"VNSEARCH_INDEX": str(tmp_path / "index")}
    line = assert_error_line(run(runner, command, env))
    assert "vnsearch index" in line


def test_index_without_seeds(runner, tmp_path: Path) -> None:
    env = {"VNSEARCH_SEEDS": str(tmp_path / "seeds"), "VNSEARCH_INDEX": str(tmp_path / "index")}
    line = assert_error_line(run(runner, ["index"], env))
    assert "seeds" in line
    assert not (tmp_path / "index").exists()


def test_search_without_seeds_or_index_is_one_line(runner, tmp_path: Path) -> None:
    env = {"VNSEARCH_SEEDS": str(tmp_path / "seeds"), "VNSEARCH_INDEX": str(tmp_path / "index")}
    assert "no seeds folder" in assert_error_line(run(runner, ["search", "dân số"], env))


def incompatible_copy(built_index: Path, tmp_path: Path) -> Path:
    """A copy of the seed index whose pointer names another schema version."""
    index_dir = tmp_path / "index"
    shutil.copytree(built_index, index_dir)
    pointer = json.loads((index_dir / "CURRENT.json").read_text(encoding="utf-8"))
    pointer["schema"] = 999
    (index_dir / "CURRENT.json").write_text(json.dumps(pointer), encoding="utf-8")
    return index_dir


def test_incompatible_index(runner, built_index: Path, tmp_path: Path) -> None:
    env = {"VNSEARCH_INDEX": str(incompatible_copy(built_index, tmp_path))}
    for command in (["search", "dân số"], ["stats"], ["show", A000]):
        assert "--rebuild" in assert_error_line(run(runner, command, env))


def test_rebuild_fixes_incompatible_index(
    runner, built_index: Path, pristine_seeds: Path, tmp_path: Path
) -> None:
    index_dir = incompatible_copy(built_index, tmp_path)
    env = {"VNSEARCH_SEEDS": str(pristine_seeds), "VNSEARCH_INDEX": str(index_dir)}
    assert run(runner, ["index", "--rebuild"], env).exit_code == 0
    assert search_json(runner, ["dan so"], env)["total"] == 5


@pytest.mark.parametrize(
    "query",
    ['"dân số', "dân (số", ")", '"', "(", 'dân số"', "((dân", 'title:"trẻ', "dân )( số",
     "AND", "NOT", "OR OR", "dân AND", "*", "dân*", "title:", ":", "author:", '""', "()",
     "-", "+dân", "dân^2", "[a TO", "{", "~", "dân~", "'", "https://baocaobang.vn"],
)
def test_odd_queries_never_crash(runner, env, query: str) -> None:
    result = run(runner, ["search", query], env)
    if result.exit_code in (0, 1):  # hits, or none
        assert result.stderr == ""
        data = search_json(runner, [query], env)
        assert data["total"] >= len(data["hits"])
    else:
        assert_error_line(result)


def test_internal_error_is_one_line(runner, env, monkeypatch) -> None:
    import vnsearch.cli

    def broken(self, *args, **kwargs):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(vnsearch.searching.Searcher, "search", broken)
    result = run(runner, ["search", "dân số"], env)
    line = assert_error_line(result, code=70)
    assert "internal error" in line and "ZeroDivisionError" in line


@pytest.mark.slow  # a new process that imports vnsearch
def test_output_cut_short_by_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    write_article(seeds, "dai", "Bài rất dài về dân số", "Dân số tăng nhanh. " * 20000)
    update_index(seeds, tmp_path / "index")
    proc = subprocess.Popen(
        [sys.executable, "-m", "vnsearch.cli", "show", "dai", "--index", str(tmp_path / "index")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline().decode().startswith("Bài rất dài")
    proc.stdout.close()  # like `| head -1`
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "internal error" not in stderr


QUERY_PARTS = st.sampled_from(
    ["dân", "số", "dan", "so", '"', "(", ")", "AND", "OR", "NOT", "title:", "author:", "foo:",
     "*", "?", "dân*", "~2", "^3", "[", "]", "TO", ":", "-", "+", "\u0301", "\u200b", "🇻🇳",
     "\x00", "\x1b[31m", "\n", "\t", "đ" * 300, "http://x.vn/a?b=c"]  # fmt: skip
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
    | st.lists(QUERY_PARTS, max_size=10).map(" ".join),
    options=st.lists(
        st.sampled_from([["--any"], ["--json"], ["-n", "1000000000"], ["-n", "1"], ["--sort", "date"],
                         ["--since", "2024"], ["--site", "baocaobang.vn"], ["--facets"],
                         ["--exact-suggestion"]]),  # fmt: skip
        max_size=3,
    ),
)
def test_any_query_on_the_command_line_gives_results_or_one_line(runner, env, query, options) -> None:
    args = ["search", *[o for option in options for o in option], "--", query]
    result = run(runner, args, env)
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert_error_line(result)
    elif ["--json"] in options:
        data = json.loads(result.stdout)
        assert set(data) >= {"query", "total", "hits", "suggestions", "facets"}
        assert result.exit_code == (0 if data["hits"] else 1)
        if ["--facets"] in options:
            assert all(sum(c["count"] for c in f) == data["total"] for f in data["facets"].values())


def test_subfolders_are_categories(runner, seeds_dir: Path, tmp_path: Path) -> None:
    write_article(seeds_dir / "the-thao", "bong-da", "Việt Nam thắng Thái Lan", FOOTBALL)
    write_article(seeds_dir / "the-thao" / "quoc-te", "world-cup", "Dân số và bóng đá", FOOTBALL)
    env = {"VNSEARCH_SEEDS": str(seeds_dir), "VNSEARCH_INDEX": str(tmp_path / "index")}
    assert run(runner, ["index"], env).exit_code == 0
    data = search_json(runner, ["--category", "the-thao", "bóng đá"], env)
    assert hit_ids(data) == ["the-thao/bong-da"] and data["hits"][0]["category"] == "the-thao"
    nested = search_json(runner, ["--category", "the-thao/quoc-te", "bóng đá"], env)
    assert hit_ids(nested) == ["the-thao/quoc-te/world-cup"]
    top = search_json(runner, ["dân số", "-n", "20"], env)
    assert {h["category"] for h in top["hits"] if "/" not in h["id"]} == {None}
    assert run(runner, ["search", "--category", "kinh-te", "bóng đá"], env).exit_code == 1
    text = run(runner, ["search", "--category", "the-thao", "bong da"], env).stdout
    assert "the-thao" in text
    in_query = search_json(runner, ["category:the-thao bóng đá"], env)
    assert hit_ids(in_query) == ["the-thao/bong-da"]


@pytest.mark.parametrize(
    "case, fix",
    [
        ("no index", "run `vnsearch index` to build it"),
        ("no seeds", "create it and put .txt articles in it, or give another with --seeds"),
        ("index folder of other files", "give another folder with --index"),
        ("another version", "run `vnsearch index --rebuild`"),
    ],
)
def test_the_library_says_what_is_wrong_and_the_cli_how_to_fix_it(runner, tmp_path, pristine_seeds, case, fix) -> None:
    index_dir, seeds_dir = tmp_path / "index", pristine_seeds
    if case == "no seeds":
        seeds_dir = tmp_path / "khong_co"
    elif case == "index folder of other files":
        index_dir.mkdir()
        (index_dir / "luan_van.txt").write_text("Luận văn tốt nghiệp", encoding="utf-8")
    elif case == "another version":
        update_index(pristine_seeds, index_dir)
        state = json.loads((index_dir / "CURRENT.json").read_text(encoding="utf-8"))
        (index_dir / "CURRENT.json").write_text(json.dumps({**state, "schema": 1}), encoding="utf-8")
    call = (lambda: vnsearch.searching.Searcher(index_dir)) if case == "no index" else (
        lambda: update_index(seeds_dir, index_dir)
    )
    with pytest.raises(vnsearch.VnsearchError) as info:
        call()
    said = str(info.value)
    assert not re.search(r"--[a-z]|`vnsearch", said), said  # nothing of the command line
    command = ["stats"] if case == "no index" else ["index", "--seeds", str(seeds_dir)]
    line = assert_error_line(run(runner, [*command, "--index", str(index_dir)]))
    assert line == f"vnsearch: {said}: {fix}"
