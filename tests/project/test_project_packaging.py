"""Zip packaging of project directories and Azkaban's unzip rules."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import pytest

from azshell.errors import LocalError, ProjectLoadError, ProjectValidationError
from azshell.project import extract_zip, packaged, read_project, validate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def make_zip(path: Path, entries: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return path


@pytest.mark.parametrize("content", [b"", b"this is not a zip at all", b"PK\x03\x04broken"])
def test_unreadable_zips(tmp_path, content):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(content)
    with pytest.raises(ProjectLoadError) as info:
        extract_zip(bad, tmp_path / "out")
    assert str(info.value) == "Error unzipping file."


@pytest.mark.parametrize("name", ["../evil.job", "a/../../evil.job", "/abs/evil.job"])
def test_zip_slip_is_refused(tmp_path, name):
    archive = make_zip(tmp_path / "slip.zip", {"ok.job": "type=noop\n", name: "type=noop\n"})
    with pytest.raises(ProjectLoadError, match=r"^Error unzipping file\.$"):
        extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "evil.job").exists()


def test_extract_keeps_tree_and_executable_bit(tmp_path):
    src = write_tree(tmp_path / "src", {"a.job": "type=noop\n", "bin/run.sh": "echo\n"})
    (src / "bin" / "run.sh").chmod(0o755)
    with packaged(src) as archive:
        extract_zip(archive, tmp_path / "out")
    assert (tmp_path / "out" / "a.job").read_text() == "type=noop\n"
    assert os.access(tmp_path / "out" / "bin" / "run.sh", os.X_OK)
    assert not os.access(tmp_path / "out" / "a.job", os.X_OK)


def test_packaged_directory_is_sorted_filtered_and_removed(tmp_path):
    src = write_tree(tmp_path / "myproj", {
        "z.job": "type=noop\n", "a.job": "type=noop\n", "sub/b.properties": "x=1\n",
        ".git/config": "x", "sub/__pycache__/m.pyc": "x", "m.pyc": "x", ".DS_Store": "x",
        "a.job~": "x", ".a.job.swp": "x", ".idea/w.xml": "x", ".vscode/s.json": "x",
        ".svn/e": "x", ".hg/h": "x", "keep/.hidden.properties": "y=2\n",
    })
    with packaged(src) as archive:
        assert archive.name == "myproj.zip"
        assert Path(tempfile.gettempdir()) in archive.parents
        assert src not in archive.parents
        names = zipfile.ZipFile(archive).namelist()
    assert names == ["a.job", "keep/.hidden.properties", "sub/b.properties", "z.job"]
    assert not archive.exists()
    assert not archive.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["myproj"]


def test_packaged_bytes_are_stable(tmp_path):
    src = write_tree(tmp_path / "p", {"b.job": "type=noop\n", "a/c.job": "type=noop\n"})
    with packaged(src) as first:
        data1 = first.read_bytes()
    os.utime(src / "b.job", (0, 0))                 # time stamps do not matter
    with packaged(src) as second:
        data2 = second.read_bytes()
    assert data1 == data2


def test_packaged_zip_passes_through(tmp_path):
    archive = make_zip(tmp_path / "Project.ZIP", {"a.job": "type=noop\n"})
    with packaged(archive) as path:
        assert path == archive
    assert archive.exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "missing", "no such file or directory"),
        (lambda d: write_tree(d, {"notes.txt": "x"}) / "notes.txt", "not a directory or a .zip"),
        (lambda d: write_tree(d, {"fake.zip": "x"}) / "fake.zip", "not a valid zip file"),
    ],
)
def test_packaged_refuses_clearly(tmp_path, setup, message):
    with pytest.raises(LocalError) as info, packaged(setup(tmp_path)):
        pass
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_read_project_from_zip_with_a_top_folder(tmp_path):
    archive = make_zip(tmp_path / "p.zip", {
        "proj/p.project": "azkaban-flow-version: 2.0\n",
        "proj/f.flow": "nodes:\n  - {name: a, type: noop}\n",
    })
    before = set(Path(tempfile.gettempdir()).iterdir())
    loaded = read_project(archive)
    assert loaded.top_level_flows() == ["f"]
    assert set(Path(tempfile.gettempdir()).iterdir()) <= before   # scratch directory removed


def test_read_project_of_each_example_zipped():
    for example in ("flow1-etl", "flow2-pipeline", "flow1-failing"):
        with packaged(EXAMPLES / example) as archive:
            zipped = read_project(archive)
        direct = read_project(EXAMPLES / example)
        assert zipped.top_level_flows() == direct.top_level_flows()
        assert zipped.errors == direct.errors == []


def test_validate_raises_with_every_error(tmp_path):
    src = write_tree(tmp_path / "p", {"a.job": "type=noop\ndependencies=x\n", "b.job": "c=1\n"})
    with pytest.raises(ProjectValidationError) as info:
        validate(src)
    assert sorted(info.value.errors) == ["Job doesn't have type set 'b'.",
                                         "a cannot find dependency x"]
    assert str(src) in str(info.value)
    assert validate(EXAMPLES / "flow1-etl").top_level_flows() == ["audit", "finish"]


def test_read_project_errors(tmp_path):
    with pytest.raises(LocalError, match="no such file"):
        read_project(tmp_path / "nope")
    with pytest.raises(ProjectLoadError, match=r"^Error unzipping file\.$"):
        read_project(write_tree(tmp_path, {"junk.zip": "junk"}) / "junk.zip")


def test_validate_names_the_path_on_load_errors(tmp_path):
    src = write_tree(tmp_path / "p", {"a.project": "azkaban-flow-version: 2\n"})
    with pytest.raises(ProjectLoadError) as info:
        validate(src)
    assert str(info.value) == f"{src}: Invalid azkaban-flow-version in the project YAML file."
