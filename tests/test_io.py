"""Shared file I/O: compression by magic bytes, clear errors, atomic deterministic writes."""

from __future__ import annotations

import gzip
import io
import os
import zipfile

import numpy as np
import pandas as pd
import pytest

from exomir._io import (
    atomic_path,
    concat_tsv,
    read_delimited,
    read_text,
    write_parquet,
    write_tsv,
)
from exomir.errors import InputError, ReferenceFormatError

TEXT = "a\tb\n1\t2\n"
NOISY = "\n".join(str(i * 7919 % 10007) for i in range(3000)).encode()


def test_plain_gzip_and_zip_read_the_same(tmp_path):
    plain = tmp_path / "t.txt"
    plain.write_text(TEXT)
    gz = tmp_path / "t.weird-name"
    gz.write_bytes(gzip.compress(TEXT.encode()))
    zipped = tmp_path / "t.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("t.txt", TEXT)
    zipped.write_bytes(buffer.getvalue())
    assert read_text(plain) == read_text(gz) == read_text(zipped) == TEXT


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (gzip.compress(NOISY, mtime=0)[:-30], "gzip data is truncated or corrupt"),
        (b"PK\x03\x04garbage", "zip archive is truncated or corrupt"),
    ],
    ids=["empty", "truncated-gzip", "corrupt-zip"],
)
def test_broken_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "broken.txt"
    path.write_bytes(content)
    with pytest.raises(ReferenceFormatError) as err:
        read_text(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_zip_with_two_members(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", TEXT)
        archive.writestr("b.txt", TEXT)
    with pytest.raises(
        ReferenceFormatError, match=r"exactly one data file, found 2 \(a.txt, b.txt\)"
    ):
        read_text(path)


def test_missing_file(tmp_path):
    with pytest.raises(ReferenceFormatError, match="file not found"):
        read_text(tmp_path / "nope.txt")


def test_read_delimited_checks_columns_and_delimiter(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text(TEXT)
    assert read_delimited(path, required=["a", "b"]).to_dict("list") == {"a": ["1"], "b": ["2"]}
    with pytest.raises(ReferenceFormatError, match="lacks column\\(s\\) 'c'; found 'a', 'b'"):
        read_delimited(path, required=["c"])
    csv = tmp_path / "t.csv"
    csv.write_text("a,b\n1,2\n")
    with pytest.raises(ReferenceFormatError, match="not tab-separated: its header looks comma"):
        read_delimited(csv, required=["a"])


def test_write_tsv_is_deterministic_and_spells_booleans(tmp_path):
    frame = pd.DataFrame(
        {
            "flag": [True, False],
            "maybe": pd.array([True, None], dtype="boolean"),
            "p": [1 / 3, np.nan],
        }
    )
    write_tsv(frame, tmp_path / "a.tsv")
    write_tsv(frame, tmp_path / "b.tsv")
    text = (tmp_path / "a.tsv").read_bytes()
    assert text == (tmp_path / "b.tsv").read_bytes()
    assert text.decode() == "flag\tmaybe\tp\ntrue\ttrue\t0.3333333333\nfalse\t\t\n"


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    dest = tmp_path / "out.tsv"
    with pytest.raises(RuntimeError), atomic_path(dest) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert not dest.exists()
    assert os.listdir(tmp_path) == []


def test_written_files_are_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        write_parquet(pd.DataFrame({"a": [1]}), tmp_path / "a.parquet")
    finally:
        os.umask(old)
    assert (tmp_path / "a.parquet").stat().st_mode & 0o777 == 0o644


def test_concat_tsv_joins_rows_under_one_header(tmp_path):
    a, b, c = tmp_path / "a.tsv", tmp_path / "b.tsv", tmp_path / "c.tsv"
    a.write_text("x\ty\n1\t0.5\n2\t\n")
    b.write_text("x\ty\n3\t1e-05")  # no final newline
    c.write_text("x\ty\n")  # header only
    out = tmp_path / "out" / "joined.tsv"
    concat_tsv([a, b, c], out)
    assert out.read_bytes() == b"x\ty\n1\t0.5\n2\t\n3\t1e-05\n"
    assert not list(out.parent.glob(".*tmp"))


def test_concat_tsv_refuses_tables_of_other_columns(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    a.write_text("x\ty\n1\t2\n")
    b.write_text("x\tz\n1\t2\n")
    out = tmp_path / "joined.tsv"
    with pytest.raises(InputError, match="header differs") as err:
        concat_tsv([a, b], out)
    assert str(b) in str(err.value) and not out.exists()
    (tmp_path / "empty.tsv").write_text("")
    with pytest.raises(InputError, match="empty"):
        concat_tsv([a, tmp_path / "empty.tsv"], out)
    with pytest.raises(InputError, match="no table"):
        concat_tsv([], out)
