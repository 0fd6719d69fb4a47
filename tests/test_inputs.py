"""Whatever lands in seeds/: each file gets the right outcome, the others are all indexed."""

from __future__ import annotations

import codecs
import os
import unicodedata
from pathlib import Path

import pytest

import vnsearch.indexing
from conftest import write_article
from vnsearch import SeedsNotFoundError, search, storage, update_index

TITLE = "Hội nghị dân số toàn quốc"
BODY = "Công tác dân số và kế hoạch hóa gia đình năm 2024 đạt nhiều kết quả."
TEXT = f"{TITLE}\n\n{BODY}\n"
# Windows-1258, the legacy Windows encoding: tone marks as combining characters
LEGACY = unicodedata.normalize("NFD", "Đà Lạt mùa thu\n\nBài này nói Đà Lạt.\n").encode("cp1258")


def outcome(seeds: Path, index_dir: Path) -> tuple[list[str], dict[str, str]]:
    """Ids added and skip reasons by file name, after indexing ``seeds``."""
    report = update_index(seeds, index_dir)
    return sorted(report.added), {Path(s.path).name: s.reason for s in report.skipped}


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    write_article(folder, "binh-thuong", TITLE, BODY)
    return folder


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.replace("\n", "\r\n").encode("utf-16-le"),  # as VNTC
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.replace("\n", "\r").encode("utf-8"),  # old Mac line ends
    ],
    ids=["utf8-bom", "utf16le-crlf", "utf16be", "cr"],
)
def test_unicode_files_are_indexed(seeds: Path, tmp_path: Path, data: bytes) -> None:
    (seeds / "khac.txt").write_bytes(data)
    added, skipped = outcome(seeds, tmp_path / "index")
    assert added == ["binh-thuong", "khac"] and skipped == {}
    assert search("dan so ke hoach", tmp_path / "index").total == 2


@pytest.mark.parametrize(
    "data, reason",
    [
        (LEGACY, "not UTF-8 or UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (TEXT.encode("utf-8") + b"\x00\x00", "binary"),
        (b"", "empty"),
        (b" \n\t\r\n  \n", "empty"),
    ],
    ids=["cp1258", "png", "nul-bytes", "empty", "whitespace"],
)
def test_files_that_are_not_articles_are_skipped_with_a_reason(
    seeds: Path, tmp_path: Path, data: bytes, reason: str
) -> None:
    (seeds / "xau.txt").write_bytes(data)
    added, skipped = outcome(seeds, tmp_path / "index")
    assert added == ["binh-thuong"]
    assert list(skipped) == ["xau.txt"] and reason in skipped["xau.txt"]


def test_a_huge_file_is_skipped_without_reading_it(seeds: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(vnsearch.indexing, "MAX_FILE_BYTES", 1_000_000)
    with open(seeds / "lon.txt", "wb") as f:
        f.truncate(50_000_000)  # 50 MB, sparse: no time spent writing it
    added, skipped = outcome(seeds, tmp_path / "index")
    assert added == ["binh-thuong"]
    assert "too big" in skipped["lon.txt"] and "50 MB" in skipped["lon.txt"]


def test_very_long_lines_and_vietnamese_file_names(seeds: Path, tmp_path: Path) -> None:
    write_article(seeds / "thời sự", "bài viết số 1", TITLE, (BODY + " ") * 2000)  # one 140 KB line
    added, skipped = outcome(seeds, tmp_path / "index")
    assert added == ["binh-thuong", "thời sự/bài viết số 1"] and skipped == {}
    hits = search("dân số", tmp_path / "index").hits
    assert "thời sự/bài viết số 1" in [h.id for h in hits]


def test_symlinks_are_followed_and_broken_ones_skipped(seeds: Path, tmp_path: Path) -> None:
    outside = write_article(tmp_path / "elsewhere", "goc", "Bóng đá Việt Nam", "Đội tuyển thắng.")
    (seeds / "lien-ket.txt").symlink_to(outside)
    (seeds / "hong.txt").symlink_to(tmp_path / "missing.txt")
    (seeds / "vong").symlink_to(seeds, target_is_directory=True)  # a loop
    added, skipped = outcome(seeds, tmp_path / "index")
    assert added == ["binh-thuong", "lien-ket"]
    assert list(skipped) == ["hong.txt"] and "No such file" in skipped["hong.txt"]


def test_unreadable_file_is_skipped(seeds: Path, tmp_path: Path, monkeypatch) -> None:
    locked = write_article(seeds, "khoa", TITLE, BODY)
    locked.chmod(0)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root reads everything: pretend
        real_read = vnsearch.indexing.read_article

        def read_article(path, **kwargs):
            if Path(path).name == "khoa.txt":
                raise PermissionError(13, "Permission denied", str(path))
            return real_read(path, **kwargs)

        monkeypatch.setattr(vnsearch.indexing, "read_article", read_article)
    try:
        added, skipped = outcome(seeds, tmp_path / "index")
    finally:
        locked.chmod(0o644)
    assert added == ["binh-thuong"] and "Permission denied" in skipped["khoa.txt"]


def test_seeds_folder_that_disappears_mid_run_leaves_the_index_as_it_was(
    seeds: Path, tmp_path: Path, monkeypatch
) -> None:
    update_index(seeds, tmp_path / "index")
    write_article(seeds, "moi", TITLE, BODY)
    real_read = vnsearch.indexing._read

    def read_then_vanish(seeds_dir, path):
        read = real_read(seeds_dir, path)
        seeds.rename(tmp_path / "gone")
        return read

    monkeypatch.setattr(vnsearch.indexing, "_read", read_then_vanish)
    with pytest.raises(SeedsNotFoundError, match="disappeared while indexing"):
        update_index(seeds, tmp_path / "index")
    with storage.open_index(tmp_path / "index").searcher() as searcher:
        assert [f["id"] for f in searcher.all_stored_fields()] == ["binh-thuong"]
