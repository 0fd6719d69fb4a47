"""Tests for vnsearch.articles: seeds, date forms, bylines, source lines, decoding."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import pathlib
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnsearch.articles import Article, ArticleError, decode, parse_article, read_article

SEEDS = pathlib.Path(__file__).resolve().parent.parent / "seeds"


def parse(text: str) -> Article:
    return parse_article(text, id="x", path="x.txt", sha256="0" * 64)


def seed(prefix: str) -> pathlib.Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


# --- seeds --------------------------------------------------------------------------------

SEED_METADATA = {
    "000": (
        "Hội nghị trực tuyến tổng kết công tác dân số, gia đình và trẻ em toàn quân",
        datetime.date(2024, 1, 11),
        "Trần Lộc",
        "baocaobang.vn",
    ),
    "001": (
        "VĨNH PHÚC THAM DỰ HỘI NGHỊ TRỰC TUYẾN TỔNG KẾT CÔNG TÁC DÂN SỐ NĂM 2021, "
        "TRIỂN KHAI NHIỆM VỤ NĂM 2022",
        datetime.date(2022, 1, 13),
        "Hồng Lụa",
        None,
    ),
    "002": (
        "Quan tâm thực hiện tốt hơn nữa công tác bảo vệ, chăm sóc, giáo dục trẻ em trong năm 2024",
        datetime.date(2024, 1, 24),
        "Thu Trang",
        None,
    ),
    "003": (
        "Hội nghị sơ kết công tác dân số 6 tháng đầu năm và phương hướng, "
        "nhiệm vụ 6 tháng cuối năm 2020.",
        None,
        "Nguyễn Hiền",
        None,
    ),
    "004": (
        "HỘI NGHỊ GIAO BAN CÔNG TÁC DÂN SỐ QUÝ II NĂM 2024",
        datetime.date(2024, 6, 20),
        None,
        None,
    ),
}


@pytest.mark.parametrize("prefix", sorted(SEED_METADATA))
def test_seed_metadata(prefix: str) -> None:
    path = seed(prefix)
    article = read_article(path, id=path.stem)
    title, date, author, site = SEED_METADATA[prefix]
    metadata = (article.title, article.date, article.author, article.site)
    assert metadata == (title, date, author, site)
    assert article.id == path.stem
    assert article.path == str(path)
    assert article.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (article.url is None) == (site is None)


@pytest.mark.parametrize("prefix", sorted(SEED_METADATA))
def test_seed_body_is_clean(prefix: str) -> None:
    article = read_article(seed(prefix), id=prefix)
    assert article.body
    assert not article.body.startswith(article.title)
    for junk in ("PublishingPortal", "Tăng cỡ chữ", "Nguồn", "24/01/2024"):
        assert junk not in article.body
    if article.author:
        assert article.author not in article.body.split("\n")
    for paragraph in article.body.split("\n\n"):
        assert paragraph and paragraph == paragraph.strip()
    assert "\n\n\n" not in article.body


def test_seed_000_source_line() -> None:
    article = read_article(seed("000"), id="000")
    assert article.url == (
        "https://baocaobang.vn/hoi-nghi-truc-tuyen-tong-ket-cong-tac-dan-so-gia-dinh-va-tre-em"
        "-toan-quan-3166834.html"
    )
    assert article.body.endswith("có thành tích xuất sắc trong công tác DS,GĐ&TE.")


def test_seed_001_keeps_lines_after_byline() -> None:
    body = read_article(seed("001"), id="001").body
    assert "Hồng Lụa" not in body
    assert body.split("\n\n")[-2] == "hỏi đáp"


def test_seed_002_keeps_line_breaks_inside_a_paragraph() -> None:
    paragraphs = read_article(seed("002"), id="002").body.split("\n\n")
    assert paragraphs[0].startswith("Sáng 24/1, Ban Chỉ đạo")
    assert paragraphs[1] == (
        "Phó Chủ tịch UBND tỉnh Phạm Duy Hưng - Trưởng Ban Chỉ đạo thực hiện công tác trẻ em"
        " trên địa bàn tỉnh\nphát biểu tại cuộc họp"
    )


def test_seed_003_keeps_inner_whitespace_strips_ends() -> None:
    paragraphs = read_article(seed("003"), id="003").body.split("\n\n")
    assert paragraphs[2].startswith("6 tháng đầu năm, việc cắt giảm")
    caption = "Đồng chí Bùi Quốc Đạt, Phó Chủ tịch UBND thành phố phát biểu\xa0chỉ đạo hội nghị"
    assert caption in paragraphs


def test_seed_004_source_without_url_is_not_author() -> None:
    article = read_article(seed("004"), id="004")
    assert (article.author, article.url, article.site) == (None, None, None)
    assert not article.body.startswith(("0", "65"))


# --- dates --------------------------------------------------------------------------------

TITLE = "Hội nghị tổng kết công tác dân số\n\n"


@pytest.mark.parametrize(
    "lead, expected",
    [
        ("Sáng ngày 13/01/2022, Tổng cục Dân số tổ chức hội nghị trực tuyến.", (2022, 1, 13)),
        ("Ngày 20-11-2023, trường tổ chức lễ kỷ niệm Ngày Nhà giáo Việt Nam.", (2023, 11, 20)),
        ("Sáng ngày 20 tháng 6 năm 2024, Chi cục Dân số tổ chức giao ban.", (2024, 6, 20)),
        ("SÁNG NGÀY 13/01/2022, TỔNG CỤC DÂN SỐ TỔ CHỨC HỘI NGHỊ.", (2022, 1, 13)),
        # day/month only: the year comes from the lead
        ("Ngày 11/1, Bộ Quốc phòng tổng kết năm 2023, triển khai năm 2024.", (2024, 1, 11)),
        ("Chiều 5/7, UBND tỉnh họp sơ kết công tác 6 tháng đầu năm 2024.", (2024, 7, 5)),
        ("Ngày 15 tháng 3, Sở Y tế triển khai kế hoạch năm 2024.", (2024, 3, 15)),
        # ... or from a full date with the same day and month elsewhere
        ("24/01/2024\nSáng 24/1, Ban Chỉ đạo tổng kết hoạt động năm 2023.", (2024, 1, 24)),
        # the first date of the lead wins over a directive's date
        (
            "Sáng 24/1, Ban Chỉ đạo triển khai nhiệm vụ năm 2024 theo Chỉ thị số 28-CT/TW "
            "ngày 25/12/2023 của Bộ Chính trị.",
            (2024, 1, 24),
        ),
        ("Ngày 29/2/2024, Chi cục tổ chức tập huấn.", (2024, 2, 29)),
        # ambiguous or missing year
        ("Ngày 11/1, Bộ Y tế tổ chức hội nghị tổng kết công tác dân số.", None),
        ("Ngày 11/1, hội nghị tổng kết giai đoạn từ năm 2016 đến năm 2020.", None),
        ("Ngày 20/12, hội nghị tổng kết năm 2023, triển khai nhiệm vụ năm 2024.", None),
        ("Sáng 24/1, Ban Chỉ đạo họp.\n\nNgày 24/1/2022 và ngày 24/1/2023 đã họp.", None),
        # invalid or garbled: never a repaired guess
        ("Ngày 31/2/2024, Chi cục tổ chức tập huấn.", None),
        ("Ngày 31/2, Chi cục tổ chức tập huấn năm 2024.", None),
        ("Ngày 29/2/2023, Chi cục tổ chức tập huấn.", None),
        ("Ngày 12/13/2023, Chi cục tổ chức tập huấn.", None),
        ("Chiều ngày 307/, Ban chỉ đạo tổ chức hội nghị sơ kết năm 2020.", None),
        ("Chiều ngày 307/, theo Chỉ thị ban hành ngày 12/3/2019, hội nghị đã họp.", None),
        # not dates
        ("Hơn 1/2 số hộ dân đã tham gia trong năm 2024.", None),
        ("Ngày 2/9/1945, Chủ tịch Hồ Chí Minh đọc Tuyên ngôn độc lập.", None),
        ("Nghị quyết 21/NQ-TW về công tác dân số trong tình hình mới.", None),
    ],
)
def test_date_forms(lead: str, expected: tuple[int, int, int] | None) -> None:
    date = parse(TITLE + lead).date
    assert date == (datetime.date(*expected) if expected else None)


def test_date_deep_in_body_is_not_the_article_date() -> None:
    paragraphs = ["Đoạn không có ngày tháng."] * 5 + ["Chỉ thị ngày 25/12/2023 của Bộ Chính trị."]
    assert parse(TITLE + "\n\n".join(paragraphs)).date is None


def test_date_line_is_not_body_or_title() -> None:
    article = parse("24/01/2024\nTăng cỡ chữ Giảm cỡ chữ\nTiêu đề bài viết\nNội dung bài viết.")
    assert (article.title, article.body, article.date) == (
        "Tiêu đề bài viết",
        "Nội dung bài viết.",
        datetime.date(2024, 1, 24),
    )


# --- bylines and source lines -------------------------------------------------------------

BODY = "Tiêu đề\n\nNgày 11/1, Sở Y tế tổ chức hội nghị năm 2024.\n\n"


@pytest.mark.parametrize(
    "ending, author",
    [
        ("Trần Lộc", "Trần Lộc"),
        ("Hồng Lụa - Phòng TT-GD", "Hồng Lụa"),
        ("Minh Anh – Báo Sức khỏe", "Minh Anh"),
        ("Thu Trang (TTXVN)", "Thu Trang"),
        ("Nguyễn Thị Thu Trang\n\nNguồn: https://example.vn/a.html", "Nguyễn Thị Thu Trang"),
        ("Trần Lộc.", None),
        ("Các đại biểu dự hội nghị", None),
        ("Thượng tướng Lê Huy Vịnh phát biểu tại hội nghị", None),
        ("TIN LIÊN QUAN", None),
        ("Lộc", None),
        ("Nguồn: Phòng TCHCTV – Chi cục DS-KHHGĐ", None),
    ],
)
def test_byline(ending: str, author: str | None) -> None:
    article = parse(BODY + ending)
    assert article.author == author
    if author:
        assert article.body == "Ngày 11/1, Sở Y tế tổ chức hội nghị năm 2024."


def test_source_line_url_and_site() -> None:
    source = "Nguồn Báo Sức khỏe: https://WWW.Suckhoe.vn/tin/hoi-nghi.html."
    article = parse(BODY + "Thu Trang\n\n" + source)
    assert article.url == "https://WWW.Suckhoe.vn/tin/hoi-nghi.html"
    assert article.site == "suckhoe.vn"
    assert article.author == "Thu Trang"
    assert "Nguồn" not in article.body


def test_source_line_with_a_bad_url_has_no_site() -> None:
    article = parse(BODY + "Nguồn: http://[bad/x")
    assert article.url == "http://[bad/x"
    assert article.site is None


def test_a_source_line_early_in_the_body_stays() -> None:
    text = "Tiêu đề\n\n" + "\n\n".join(["Nguồn vốn: 5 tỷ đồng."] + ["Đoạn văn bình thường."] * 6)
    assert parse(text).body.startswith("Nguồn vốn: 5 tỷ đồng.")


# --- parse errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t\n", "PublishingPortal - Block_BanTin_Toolbar\n0\n65\n24/01/2024\n* * *\n"],
)
def test_no_text(text: str) -> None:
    with pytest.raises(ArticleError, match="no text"):
        parse(text)


def test_title_only() -> None:
    article = parse("  Tiêu đề  \n")
    assert (article.title, article.body) == ("Tiêu đề", "")
    assert (article.date, article.author) == (None, None)


def test_text_is_nfc_normalised() -> None:
    article = parse(unicodedata.normalize("NFD", "Hội nghị\n\nNgày 13/01/2022, họp.\n\nTrần Lộc"))
    assert (article.title, article.author) == ("Hội nghị", "Trần Lộc")


@settings(max_examples=300)
@given(st.text())
def test_parse_never_raises_anything_but_article_error(text: str) -> None:
    try:
        parse(text)
    except ArticleError:
        pass


LINE_PARTS = [
    "Ngày 11/1,", "Sáng 24/1", "Chiều ngày 307/,", "24/01/2024", "31/2/2024", "ngày 20 tháng 6",
    "năm 2023", "năm 2024", "năm 9999", "Trần Lộc", "Hồng Lụa - Phòng TT-GD", "Nguồn:",
    "Nguồn Cao Bằng:", "https://www.baocaobang.vn/a.html", "http://[", "PublishingPortal",
    "Tăng cỡ chữ", "0", "65", "(", "-", "–", ".", "\n", "\n\n", "\r\n", " ", "\xa0",
    "99/99/2024", "ngày 0/0", "ngày 00 tháng 00",
]


@settings(max_examples=500)
@given(st.lists(st.sampled_from(LINE_PARTS) | st.text(max_size=5), max_size=30))
def test_parse_never_raises_on_article_like_text(parts: list[str]) -> None:
    try:
        article = parse(" ".join(parts))
    except ArticleError:
        return
    assert article.title and article.title == article.title.strip()
    assert article.date is None or 1990 <= article.date.year <= 2100


# --- decoding -----------------------------------------------------------------------------

TEXT = "Tiêu đề\n\nNội dung bài viết.\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.replace("\n", "\r\n").encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.replace("\n", "\r\n").encode("utf-16-be"),
        TEXT.replace("\n", "\r").encode("utf-8"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
    ],
)
def test_decode(data: bytes) -> None:
    assert decode(data) == TEXT


@pytest.mark.parametrize(
    "data, message",
    [
        (b"Ti\xc3\xaau \x00\x01\x02", "binary file (NUL bytes)"),
        (codecs.BOM_UTF16_LE + "a\0b".encode("utf-16-le"), "binary file (NUL bytes)"),
        ("Tiêu đê".encode("cp1258"), "not UTF-8 or UTF-16 text"),
        (codecs.BOM_UTF16_LE + b"a", "not UTF-8 or UTF-16 text"),
        (b"", "empty file"),
        (b" \r\n\t\n", "empty file"),
        (codecs.BOM_UTF8, "empty file"),
    ],
)
def test_decode_errors(data: bytes, message: str) -> None:
    with pytest.raises(ArticleError) as error:
        decode(data)
    assert str(error.value) == message


@given(st.binary())
def test_decode_never_raises_anything_but_article_error(data: bytes) -> None:
    try:
        decode(data)
    except ArticleError:
        pass


def test_read_article_utf16(tmp_path: pathlib.Path) -> None:
    data = codecs.BOM_UTF16_LE + "Tiêu đề\r\n\r\nNgày 13/01/2022, họp.\r\n".encode("utf-16-le")
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    article = read_article(path, id="a")
    assert (article.id, article.path, article.title) == ("a", str(path), "Tiêu đề")
    assert article.body == "Ngày 13/01/2022, họp."
    assert article.date == datetime.date(2022, 1, 13)
    assert article.sha256 == hashlib.sha256(data).hexdigest()


def test_read_article_refuses_binary(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ArticleError, match="NUL"):
        read_article(path, id="a")
