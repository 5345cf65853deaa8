"""Sheets as spreadsheet programs save them: encodings, byte-order marks and line ends.

The rules (config/README.md, "Encodings and line ends"): UTF-8 with or without a byte-order
mark and UTF-16 with one are read, CR-only and CRLF line ends are read as line ends, and every
other file gets an error that names the file and, for undecodable bytes, the line and byte.
"""

from __future__ import annotations

import gzip
import logging

import pytest

from exomir.abundance import read_counts, read_samples
from exomir.errors import InputError
from exomir.sets import read_mirna_sets

SHEET = (
    "set\tmsc_source\tmirna\tweight\tnote\n"
    "bm\tbone_marrow\tmiR-21\t2\tReview µ\n"
    "bm\tbone_marrow\tmiR-16\t\t\n"
    "uc\tumbilical_cord\tmiR-125b-5p\t\t\n"
)


def _write(tmp_path, data: bytes):
    path = tmp_path / "mirna_sets.tsv"
    path.write_bytes(data)
    return path


def _expected(tmp_path):
    return read_mirna_sets(_write(tmp_path, SHEET.encode()))


@pytest.mark.parametrize(
    ("encode", "note"),
    [
        (lambda text: text.encode("utf-16"), "UTF-16"),
        (lambda text: text.encode("utf-16-be").join([b"\xfe\xff", b""]), "UTF-16"),
        (lambda text: text.replace("\n", "\r").encode(), "old Mac line ends"),
        (lambda text: text.replace("\n", "\r\n").encode("utf-8-sig"), None),
        (lambda text: gzip.compress(text.encode()), None),
    ],
    ids=["utf16-le-bom", "utf16-be-bom", "cr-only", "crlf-utf8-bom", "gzip"],
)
def test_sheets_from_spreadsheets_are_read_with_a_note(tmp_path, caplog, encode, note):
    expected = _expected(tmp_path)
    path = _write(tmp_path, encode(SHEET))
    with caplog.at_level(logging.WARNING):
        frame = read_mirna_sets(path)
    assert frame.equals(expected)
    if note:
        assert any(note in r.getMessage() and str(path) in r.getMessage() for r in caplog.records)


def test_cp1252_sheet_names_line_byte_and_fix(tmp_path):
    path = _write(tmp_path, SHEET.replace("µ", "\u2013 µ").encode("cp1252"))
    with pytest.raises(InputError) as err:
        read_mirna_sets(path)
    message = str(err.value)
    assert f"{path}, line 2: the miRNA-set sheet is not UTF-8 text: byte 0x96" in message
    assert "'\u2013' in Windows cp1252" in message
    assert "Save it as tab-separated UTF-8 text" in message


def test_utf16_without_bom_is_an_error_naming_the_file(tmp_path):
    path = _write(tmp_path, SHEET.encode("utf-16-le"))
    with pytest.raises(InputError, match="UTF-16 text without a byte-order mark") as err:
        read_mirna_sets(path)
    assert str(path) in str(err.value)


def test_zero_byte_sheet_is_empty_not_a_broken_download(tmp_path):
    path = _write(tmp_path, b"")
    with pytest.raises(InputError) as err:
        read_mirna_sets(path)
    message = str(err.value)
    assert f"{path}: the miRNA-set sheet file is empty (0 bytes)" in message
    assert "download" not in message


def test_truncated_gzip_sheet_says_replace_it(tmp_path):
    path = _write(tmp_path, gzip.compress(SHEET.encode() * 50)[:-20])
    with pytest.raises(InputError, match="gzip data is truncated or corrupt") as err:
        read_mirna_sets(path)
    assert "replace the file at that path with an intact copy" in str(err.value)


def test_sample_sheet_and_count_table_use_the_same_rules(tmp_path):
    counts = tmp_path / "counts.tsv"
    counts.write_bytes(b"mirna\tS1\tS2\rmiR-21\t5\t7\rmiR-16\t3\t0\r")
    table = read_counts(counts)
    assert list(table.columns) == ["S1", "S2"]
    samples = tmp_path / "samples.tsv"
    samples.write_bytes("sample\tmsc_source\nS1\tbone_marrow\nS2\tadipose\n".encode("utf-16"))
    assert read_samples(samples, table)["sample"].tolist() == ["S1", "S2"]
    samples.write_bytes("sample\tmsc_source\nS1\tbone_marrow\nS2\tadipöse\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"line 3: the sample sheet is not UTF-8 text"):
        read_samples(samples, table)
