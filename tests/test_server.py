"""`vnsearch serve`: the JSON API, the search page, their errors and headers (vnsearch.server)."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from markupsafe import escape

from conftest import ROOT, SEED_IDS, write_article
from vnsearch.cli import main
from vnsearch.server import CSP, create_app

ARTICLE = SEED_IDS["000"]


@pytest.fixture(scope="module")
def client(built_index: Path):
    with TestClient(create_app(built_index)) as client:
        yield client


def cli_error(built_index: Path, *args: str) -> str:
    """What `vnsearch search` says on stderr for these arguments (its one line, without ``vnsearch: ``)."""
    result = CliRunner().invoke(main, ["search", "--index", str(built_index), *args])
    assert result.exit_code == 2, result.output
    return result.stderr.strip().removeprefix("vnsearch: ")


# -- JSON API ----------------------------------------------------------------


def test_search_gives_the_cli_json_and_the_offset(client, built_index):
    response = client.get("/api/search", params={"q": "dân số", "limit": 3})
    assert response.status_code == 200
    data = response.json()
    cli = CliRunner().invoke(main, ["search", "--index", str(built_index), "--json", "-n", "3", "dân số"])
    assert data == {**json.loads(cli.stdout), "offset": 0}
    assert len(data["hits"]) == 3 and data["total"] == 4


def test_search_options(client):
    data = client.get("/api/search", params={"q": "dan so", "facets": "true", "sort": "date", "since": "2024"}).json()
    assert data["facets"]["year"] == [{"value": "2024", "count": 3}]
    dates = [hit["date"] for hit in data["hits"]]
    assert dates == sorted(dates, reverse=True) and all(hit["score"] is None for hit in data["hits"])
    assert client.get("/api/search", params={"q": "dan so", "exact_suggestion": "1"}).json()["instead_of"] == "dan so"
    assert client.get("/api/search", params={"q": "dân số", "site": "baocaobang.vn"}).json()["total"] == 1


def test_offset_skips_ranked_hits(client):
    everything = client.get("/api/search", params={"q": "dân số", "limit": 5}).json()["hits"]
    page = client.get("/api/search", params={"q": "dân số", "limit": 2, "offset": 2}).json()
    assert page["offset"] == 2 and [hit["id"] for hit in page["hits"]] == [hit["id"] for hit in everything[2:4]]


def test_suggest_article_and_stats(client, built_index):
    assert client.get("/api/suggest", params={"q": "dan so"}).json() == {"query": "dan so", "suggestions": ["dân số"]}
    article = client.get(f"/api/articles/{ARTICLE}").json()
    shown = CliRunner().invoke(main, ["show", "--index", str(built_index), "--json", ARTICLE])
    assert article == json.loads(shown.stdout)
    stats = client.get("/api/stats").json()
    assert stats["articles"] == 5 and stats["path"] == str(built_index)


@pytest.mark.parametrize(
    "params, cli_args",
    [
        ({"q": "dân", "since": "2024-13-01"}, ["--since", "2024-13-01", "dân"]),
        ({"q": "dân", "until": "hôm qua"}, ["--until", "hôm qua", "dân"]),
        ({"q": ""}, [""]),
        ({"q": "dân " * 500}, ["dân " * 500]),
        ({"q": "nosuchfield:x"}, ["nosuchfield:x"]),
        ({"q": "(((((((((((((((((((((dân)))))))))))))))))))))"}, ["(((((((((((((((((((((dân)))))))))))))))))))))"]),
    ],
)
def test_bad_parameters_give_the_cli_message(client, built_index, params, cli_args):
    response = client.get("/api/search", params=params)
    assert response.status_code == 400
    assert response.json() == {"error": cli_error(built_index, *cli_args)}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"limit": "0"}, "limit must be at least 1, not 0"),
        ({"limit": "101"}, "limit must be at most 100, not 101"),
        ({"limit": "-5"}, "limit must be at least 1, not -5"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "abc"}, "bad limit 'abc'"),
        ({"offset": "x"}, "bad offset 'x'"),
        ({"facets": "maybe"}, "bad facets 'maybe'"),
        ({"sort": "xyz"}, "unknown sort 'xyz': use one of relevance, date"),
    ],
)
def test_bad_options_are_400_naming_the_parameter(client, params, message):
    response = client.get("/api/search", params={"q": "dân số", **params})
    assert response.status_code == 400
    assert list(response.json()) == ["error"] and message in response.json()["error"]
    assert "\n" not in response.json()["error"]


def test_suggest_needs_a_query(client):
    response = client.get("/api/suggest", params={"q": " "})
    assert response.status_code == 400 and response.json()["error"].startswith("empty query")


@pytest.mark.parametrize("article_id", ["nosuch", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%00"])
def test_unknown_article_is_404(client, article_id):
    response = client.get(f"/api/articles/{article_id}")
    assert response.status_code == 404 and "error" in response.json()
    page = client.get(f"/articles/{article_id}")
    assert page.status_code == 404 and "root:" not in page.text


def test_missing_index_is_503_and_a_bug_is_500_without_traceback(tmp_path, built_index, monkeypatch):
    index = tmp_path / "index"
    shutil.copytree(built_index, index)
    app = create_app(index)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/search", params={"q": "dân số"}).status_code == 200
        shutil.rmtree(index)
        response = client.get("/api/search", params={"q": "dân số"})
        assert response.status_code == 503 and response.json()["error"]
        assert client.get("/?q=dân").status_code == 503
        monkeypatch.setattr(app.state.searcher, "stats", lambda: 1 / 0)
        response = client.get("/api/stats")
        assert response.status_code == 500 and response.json() == {"error": "internal error"}
        assert response.headers["content-security-policy"] == CSP


def test_openapi_describes_the_api(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/api/search", "/api/suggest", "/api/articles/{article_id}", "/api/stats"}
    search = spec["paths"]["/api/search"]["get"]
    assert search["summary"] and all(p.get("description") for p in search["parameters"])
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("url", ["/", "/?q=dân", "/api/search?q=dân", "/api/search?q=", "/articles/x", "/nope"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    assert headers["content-security-policy"] == CSP
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"


# -- pages ---------------------------------------------------------------------


def test_home_page(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<meta name="viewport"' in page.text and 'name="q"' in page.text and "<script" not in page.text
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_page_shows_marked_hits_suggestion_facets(client):
    page = client.get("/", params={"q": "dan so"}).text
    assert "<mark>dân</mark> <mark>số</mark>" in page
    assert "Có phải bạn muốn tìm: <a href=\"/?q=d%C3%A2n+s%E1%BB%91\">dân số</a>" in page
    assert "5 kết quả" in page and f'href="/articles/{ARTICLE}"' in page
    assert 'href="/?q=dan+so&amp;site=baocaobang.vn"' in page
    assert 'href="/?q=dan+so&amp;since=2024&amp;until=2024"' in page
    filtered = client.get("/", params={"q": "dan so", "since": "2024", "until": "2024"}).text
    assert "3 kết quả" in filtered and 'href="/?q=dan+so&amp;until=2024"' in filtered  # removes since


def test_page_shows_expansions(client):
    assert "Tìm cả: Thành phố Hồ Chí Minh" in client.get("/", params={"q": "TP.HCM"}).text


def test_page_links_to_next_and_previous_pages(client):
    first = client.get("/", params={"q": "dân số", "sort": "date"}).text
    assert "Trang sau" not in first  # 5 hits: one page
    from vnsearch import server

    original = server.PAGE_SIZE
    server.PAGE_SIZE = 2
    try:
        with TestClient(create_app(client.app.state.searcher.index_dir)) as small:
            first = small.get("/", params={"q": "dân số", "sort": "date"}).text
            assert 'href="/?q=d%C3%A2n+s%E1%BB%91&amp;sort=date&amp;offset=2"' in first and "Trang trước" not in first
            second = small.get("/", params={"q": "dân số", "sort": "date", "offset": "2"}).text
            assert 'href="/?q=d%C3%A2n+s%E1%BB%91&amp;sort=date"' in second  # back to the first page
            assert "Trang sau" not in second and 'start="3"' in second  # hits 3 and 4 of 4
    finally:
        server.PAGE_SIZE = original


def test_page_errors_are_shown_with_400(client, built_index):
    page = client.get("/", params={"q": "dân", "since": "2024-13-01"})
    message = cli_error(built_index, "--since", "2024-13-01", "dân")
    assert page.status_code == 400 and str(escape(message)) in page.text
    assert "Traceback" not in page.text
    assert client.get("/", params={"q": "dân", "offset": "x"}).status_code == 400


def test_article_page(client):
    page = client.get(f"/articles/{ARTICLE}")
    assert page.status_code == 200
    assert "<h1>Hội nghị trực tuyến tổng kết công tác dân số, gia đình và trẻ em toàn quân</h1>" in page.text
    assert "Trần Lộc" in page.text and page.text.count("<p>") > 3
    assert 'rel="noopener noreferrer nofollow"' in page.text


XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def test_article_text_is_always_escaped(tmp_path):
    from vnsearch import update_index

    seeds = tmp_path / "seeds"
    write_article(
        seeds, "xss", f"Dân số {XSS[0]}", f"Bài viết về dân số {XSS[1]} và {XSS[0]}.\n\n"
        "Nguồn: javascript:alert(1)", byline="<b>Tác giả</b>",
    )  # fmt: skip
    update_index(seeds, tmp_path / "index", jobs=1)
    with TestClient(create_app(tmp_path / "index")) as client:
        hit = client.get("/api/search", params={"q": "dân số"}).json()["hits"][0]
        pages = [client.get("/", params={"q": "dân số alert"}).text, client.get(f"/articles/{hit['id']}").text]
    for page in pages:
        assert "&lt;script&gt;" in page or "&lt;img" in page
        assert "<script" not in page and "<img" not in page and "<b>" not in page
        assert 'href="javascript:' not in page


def test_page_sees_index_updates_without_restart(tmp_path, built_index, pristine_seeds):
    from vnsearch import update_index

    seeds, index = tmp_path / "seeds", tmp_path / "index"
    shutil.copytree(pristine_seeds, seeds)
    shutil.copytree(built_index, index)
    with TestClient(create_app(index)) as client:
        def titles() -> list[str]:
            return [hit["title"] for hit in client.get("/api/search", params={"q": "khủng long"}).json()["hits"]]

        assert "Khủng long ở Cao Bằng" not in titles()
        write_article(seeds, "moi", "Khủng long ở Cao Bằng", "Người dân tìm thấy xương khủng long.")
        update_index(seeds, index, jobs=1)
        assert titles()[0] == "Khủng long ở Cao Bằng"
        assert "</mark> ở Cao Bằng</a>" in client.get("/", params={"q": "khung long"}).text


# -- the command -----------------------------------------------------------------


def test_serve_help():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "--workers" in result.output and "127.0.0.1" in result.output


def test_serve_without_index_or_seeds_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "i"), "--seeds", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("vnsearch: no index in")


def test_serve_on_a_taken_port_is_one_line(built_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--index", str(built_index), "--port", str(port)])
    assert result.exit_code == 2 and result.stderr.startswith(f"vnsearch: cannot listen on 127.0.0.1:{port}")
    assert result.stderr.count("\n") == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_with_a_bad_synonyms_file_is_one_line(built_index, tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("UBND Ủy ban nhân dân\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--index", str(built_index), "--synonyms", str(path)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("vnsearch: ") and "line 1" in result.stderr


def test_the_app_reads_a_synonyms_file(built_index, tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("!UBND\nDS = Dân số\n", encoding="utf-8")
    with TestClient(create_app(built_index, synonyms=path)) as client:
        assert client.get("/api/search", params={"q": "DS"}).json()["expanded"] == ["Dân số"]
        assert client.get("/api/search", params={"q": "UBND"}).json()["expanded"] == []


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_real_server_answers_and_stops_on_sigint(built_index, tmp_path, workers):
    port = _free_port()
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("DS = Dân số\n", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "vnsearch", "serve", "--index", str(built_index), "--port", str(port),
         "--workers", workers, "--synonyms", str(synonyms)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/api/search?q=DS"
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    data = json.load(response)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "the server did not answer in 10 s"
                time.sleep(0.1)
        assert data["total"] == 4 and data["hits"][0]["title"] and data["expanded"] == ["Dân số"]
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
