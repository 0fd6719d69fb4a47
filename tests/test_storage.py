"""Where an index may live, what vnsearch deletes, and how it reports a damaged index.

vnsearch deletes only what it recorded as its own; these tests point it at
folders full of files that are not, and check every one of them survives.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import whoosh.writing
from click.testing import CliRunner

from conftest import SEED_IDS, SEEDS, write_article
from vnsearch import (
    IndexDamagedError,
    IndexWriteError,
    Searcher,
    VnsearchError,
    build_index,
    read_article,
    search,
    update_index,
)
from vnsearch import storage
from vnsearch.cli import main

#: Names an old vnsearch took for its own generations, and some that merely look like them.
UNRELATED = {
    "gdocs/thesis.txt": "Luận văn: dân số và phát triển",
    "go.mod": "module example.com/x",
    "_gx": "x",
    "g1/notes.txt": "ghi chú",
    "_g18ece0_1.toc": "not a table of contents",
    "g18ece0_abc.seg": "not a segment",
    "g18ece0.tmp/scratch": "x",
    "MAIN_WRITELOCK": "",
    "LOCK": "",
    ".hidden": "x",
}


def plant(folder: Path, files: dict[str, str] = UNRELATED) -> dict[str, str]:
    """Write ``files`` under ``folder``; return each one's hash, to check later."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tree(folder, files)


def tree(folder: Path, files: dict[str, str] = UNRELATED) -> dict[str, str]:
    """The hash of each of ``files`` under ``folder`` ("missing" if gone)."""
    out = {}
    for name in files:
        path = folder / name
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
    return out


def vnsearch(*args: str) -> tuple[int, str]:
    """Run the CLI in-process: exit code and stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stderr


@pytest.fixture
def good_seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "good_seeds"
    shutil.copytree(SEEDS, folder)
    return folder


# --- where an index may live ------------------------------------------------------------


@pytest.mark.parametrize("index_arg", [".", ""])
def test_a_folder_of_other_files_is_refused(tmp_path, good_seeds, monkeypatch, index_arg) -> None:
    # the report: `vnsearch search "dân số" --index . --seeds good_seeds` deleted gdocs/, go.mod, _gx
    before = plant(tmp_path)
    monkeypatch.chdir(tmp_path)
    for command in (["search", "dân số"], ["index"], ["index", "--rebuild"]):
        code, err = vnsearch(*command, "--index", index_arg, "--seeds", "good_seeds")
        assert code == 2
        assert err.splitlines()[-1].startswith("vnsearch: ")
        assert "not a vnsearch index" in err and "--index" in err
    assert tree(tmp_path) == before
    assert sorted(p.name for p in good_seeds.iterdir()) == sorted(f"{i}.txt" for i in SEED_IDS.values())
    assert not (tmp_path / "CURRENT.json").exists()


def test_the_seeds_folder_cannot_be_the_index(good_seeds: Path) -> None:
    before = sorted(p.name for p in good_seeds.iterdir())
    for args in (["index"], ["index", "--rebuild"], ["search", "dân số"]):
        code, err = vnsearch(*args, "--seeds", str(good_seeds), "--index", str(good_seeds))
        assert code == 2 and "both the seeds folder and the index folder" in err
    code, err = vnsearch("index", "--seeds", str(good_seeds), "--index", str(good_seeds / "."))
    assert code == 2
    assert sorted(p.name for p in good_seeds.iterdir()) == before


@pytest.mark.parametrize("folder", ["/", "/proc"])
def test_system_folders_are_refused(good_seeds: Path, folder: str) -> None:
    if not Path(folder).is_dir():
        pytest.skip(f"no {folder} here")
    code, err = vnsearch("index", "--seeds", str(good_seeds), "--index", folder)
    assert code == 2 and "not a vnsearch index" in err
    assert not (Path(folder) / "CURRENT.json").exists() and not (Path(folder) / "LOCK").exists()


def test_a_file_is_not_an_index_folder(tmp_path: Path, good_seeds: Path) -> None:
    (tmp_path / "notes").write_text("x", encoding="utf-8")
    code, err = vnsearch("index", "--seeds", str(good_seeds), "--index", str(tmp_path / "notes"))
    assert code == 2 and "is a file" in err
    assert (tmp_path / "notes").read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("content", [[], [".gitkeep"]])
def test_an_empty_or_missing_folder_is_fine(tmp_path: Path, good_seeds: Path, content) -> None:
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    for name in content:
        (index_dir / name).write_text("", encoding="utf-8")
    assert len(update_index(good_seeds, index_dir).added) == 5
    assert len(update_index(good_seeds, tmp_path / "new" / "index").added) == 5
    assert all((index_dir / name).exists() for name in content)


def test_other_files_put_in_an_index_survive_every_update(tmp_path: Path, good_seeds: Path) -> None:
    index_dir = tmp_path / "index"
    update_index(good_seeds, index_dir)
    before = plant(index_dir)
    update_index(good_seeds, index_dir, rebuild=True)
    write_article(good_seeds, "moi", "Bài mới về dân số", "Dân số tăng nhanh ở các tỉnh phía Nam.")
    update_index(good_seeds, index_dir)
    update_index(good_seeds, index_dir, rebuild=True)
    update_index(good_seeds, index_dir)
    assert tree(index_dir) == before
    assert search("dân số", index_dir).total == 5


def test_an_index_inside_the_seeds_is_left_out_of_the_articles(good_seeds: Path) -> None:
    index_dir = good_seeds / "chi_muc"
    report = update_index(good_seeds, index_dir)
    assert sorted(report.added) == sorted(SEED_IDS.values())
    (index_dir / "stray.txt").write_text("Dân số", encoding="utf-8")  # not an article
    report = update_index(good_seeds, index_dir, rebuild=True)
    assert sorted(report.added) == sorted(SEED_IDS.values())
    assert (index_dir / "stray.txt").is_file()


def test_build_index_refuses_a_folder_of_other_files(tmp_path: Path) -> None:
    before = plant(tmp_path)
    article = read_article(next(SEEDS.glob("*.txt")), id="a")
    with pytest.raises(VnsearchError, match="not a vnsearch index"):
        build_index([article], tmp_path)
    assert tree(tmp_path) == before


# --- the state file cannot point outside the index ----------------------------------------


def _set_state(index_dir: Path, **changes) -> None:
    path = index_dir / "CURRENT.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    state.update(changes)
    path.write_text(json.dumps(state), encoding="utf-8")


@pytest.mark.parametrize("name", ["../victim", "/tmp", "g1/../../victim", "", 7])
def test_a_generation_named_by_a_path_is_refused(tmp_path, good_seeds, name) -> None:
    index_dir = tmp_path / "index"
    update_index(good_seeds, index_dir)
    before = plant(tmp_path / "victim")
    _set_state(index_dir, name=name)
    with pytest.raises(IndexDamagedError, match="not vnsearch's"):
        search("dân số", index_dir)
    listing = sorted(os.listdir(tmp_path))
    assert update_index(good_seeds, index_dir, rebuild=True).rebuilt is False  # a fresh start
    assert search("dân số", index_dir).total == 4
    assert sorted(os.listdir(tmp_path)) == listing  # no WRITELOCK or anything else outside
    assert tree(tmp_path / "victim") == before


def test_generations_named_by_paths_are_never_deleted(tmp_path, good_seeds) -> None:
    index_dir = tmp_path / "index"
    update_index(good_seeds, index_dir)
    before = plant(tmp_path / "victim")
    state = json.loads((index_dir / "CURRENT.json").read_text(encoding="utf-8"))
    _set_state(index_dir, generations=[*state["generations"], "../victim"])
    update_index(good_seeds, index_dir, rebuild=True)
    update_index(good_seeds, index_dir, rebuild=True)
    assert tree(tmp_path / "victim") == before
    assert search("dân số", index_dir).total == 4


def test_a_missing_generation_is_damage_that_rebuild_repairs(tmp_path, good_seeds) -> None:
    index_dir = tmp_path / "index"
    update_index(good_seeds, index_dir)
    shutil.rmtree(index_dir / storage.read_pointer(index_dir).name)
    with pytest.raises(IndexDamagedError, match="is missing"):
        search("dân số", index_dir)
    with pytest.raises(IndexDamagedError):
        update_index(good_seeds, index_dir)
    assert update_index(good_seeds, index_dir, rebuild=True).rebuilt
    assert search("dân số", index_dir).total == 4


# --- damaged files --------------------------------------------------------------------------


def _files(index_dir: Path, suffix: str) -> list[Path]:
    return sorted((index_dir / storage.read_pointer(index_dir).name).glob(f"*{suffix}"))


@pytest.mark.parametrize(
    "damage",
    ["delete .pst", "delete .trm", "truncate .pst", "truncate _stored.col", "extend .trm"],
)
def test_damaged_files_are_reported_as_damage(tmp_path, good_seeds, damage) -> None:
    index_dir = tmp_path / "index"
    update_index(good_seeds, index_dir)
    action, suffix = damage.split()
    for path in _files(index_dir, suffix):
        if action == "delete":
            path.unlink()
        elif action == "truncate":
            os.truncate(path, path.stat().st_size // 2)
        else:
            with open(path, "ab") as f:
                f.write(b"\0" * 10)
    for attempt in (lambda: search("dân số", index_dir), lambda: update_index(good_seeds, index_dir)):
        with pytest.raises(IndexDamagedError, match="damaged") as info:
            attempt()
        assert "\n" not in str(info.value)
    code, err = vnsearch("search", "dân số", "--index", str(index_dir), "--seeds", str(good_seeds))
    assert code == 2 and "damaged" in err and err.endswith(": run `vnsearch index --rebuild`\n")
    assert update_index(good_seeds, index_dir, rebuild=True).rebuilt
    assert search("dân số", index_dir).total == 4


# --- a full disk ----------------------------------------------------------------------------


def test_a_failed_update_removes_what_it_wrote(tmp_path, good_seeds, monkeypatch) -> None:
    index_dir = tmp_path / "index"
    update_index(good_seeds, index_dir)
    generation = index_dir / storage.read_pointer(index_dir).name
    files = sorted(os.listdir(generation))

    def full(self, *args, **kwargs):
        self._flush_segment()  # the new segment's files are written, then the disk fills
        raise OSError(errno.ENOSPC, "No space left on device", str(generation / "x.pst"))

    monkeypatch.setattr(whoosh.writing.SegmentWriter, "commit", full)
    write_article(good_seeds, "moi", "Bài mới về dân số", "Dân số tăng nhanh ở các tỉnh phía Nam.")
    # the library says what is wrong; the fix ("free some space") is the CLI's (test_cli_faults.py)
    with pytest.raises(IndexWriteError, match="No space left on device") as info:
        update_index(good_seeds, index_dir)
    assert info.value.errno == errno.ENOSPC and "\n" not in str(info.value)
    monkeypatch.undo()
    assert sorted(os.listdir(generation)) == files
    assert update_index(good_seeds, index_dir).added == ["moi"]


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)  # fmt: skip
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 3 MB file system of its own (needs root: skipped elsewhere)."""
    folder = tmp_path / "disk"
    if not shutil.which("mount") or not _mount_tmpfs(folder, "3m"):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_index_answers_searches_and_refuses_updates(small_disk, good_seeds) -> None:
    index_dir = small_disk / "index"
    update_index(good_seeds, index_dir)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    assert search("dân số", index_dir).total == 4
    for command in (["index"], ["index", "--rebuild"]):
        code, err = vnsearch(*command, "--seeds", str(good_seeds), "--index", str(index_dir))
        assert code == 2, err
        assert len(err.splitlines()) == 1 and "Read-only file system" in err and "--index" in err


def _fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` up to ``leave`` free bytes."""
    stat = os.statvfs(disk)
    filler = disk / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))
    return filler


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_leaves_nothing_behind(small_disk, good_seeds) -> None:
    index_dir = small_disk / "index"
    update_index(good_seeds, index_dir)
    filler = _fill(small_disk, leave=20_000)
    used = sorted(p.relative_to(small_disk) for p in small_disk.rglob("*"))
    write_article(good_seeds, "moi", "Bài mới về dân số", "Dân số tăng nhanh ở các tỉnh phía Nam. " * 2000)
    for command in (["index"], ["index", "--rebuild"], ["index"]):
        code, err = vnsearch(*command, "--seeds", str(good_seeds), "--index", str(index_dir))
        assert code == 2, err
        assert len(err.splitlines()) == 1 and "No space left on device" in err
        assert sorted(p.relative_to(small_disk) for p in small_disk.rglob("*")) == used
    assert search("dân số", index_dir).total == 4  # the previous index still answers
    filler.unlink()
    assert update_index(good_seeds, index_dir).added == ["moi"]
    assert update_index(good_seeds, index_dir, rebuild=True).rebuilt


# --- file names -----------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_indexed_under_an_escaped_id(good_seeds: Path) -> None:
    body = (SEEDS / f"{SEED_IDS['004']}.txt").read_bytes()
    with open(os.path.join(os.fsencode(good_seeds), b"bad\xff\xfe.txt"), "wb") as f:
        f.write(body)
    index_dir = good_seeds.parent / "index"
    for rebuild in (False, True, False):
        report = update_index(good_seeds, index_dir, rebuild=rebuild)
        assert not report.skipped
    assert "bad\\xff\\xfe" in {hit.id for hit in search("Thủ Đức", index_dir).hits}
    with Searcher(index_dir) as searcher:
        article = searcher.article("bad\\xff\\xfe")
    assert article.path.endswith("bad\\xff\\xfe.txt")
    code, _ = vnsearch("search", "Thủ Đức", "--json", "--index", str(index_dir))
    assert code == 0
