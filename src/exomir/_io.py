"""File input/output shared by every loader and writer.

* :func:`open_text` opens plain, gzip- or single-file-zip-compressed text, recognising the
  compression by its magic bytes (not by the file name), and turns a truncated or corrupt
  archive into a
  :class:`~exomir.errors.ReferenceFormatError` that names the file.
* :func:`read_sheet_text` reads the sheets a user writes (set sheet, sample sheet, count
  table): UTF-8 or UTF-16 with a byte-order mark, any line ends; other bytes are an error
  that names the line and the byte.
* :func:`read_delimited` reads a delimited table and checks its header against the columns the
  format requires, explaining a wrong delimiter when that is the likely cause.
* :func:`atomic_path` and the ``write_*`` functions write to a temporary file next to the
  destination and rename it into place, so that no reader ever sees a half-written file.
* :func:`write_tsv` writes tables deterministically (fixed float format, ``\\n`` line endings),
  so that the same inputs give byte-identical outputs.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import json
import logging
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, ReferenceFormatError

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"

#: Float format of every TSV that exomir writes: enough digits for p-values to be compared,
#: few enough for a person to read, and the same on every platform.
FLOAT_FORMAT = "%.10g"


def is_gzip(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` starts with the gzip magic bytes."""
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def read_text(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> str:
    """Return the whole decoded text of a plain or gzip-compressed file.

    Raises :class:`ReferenceFormatError` for a missing file, an empty file, a truncated or
    corrupt gzip stream, or bytes that are not valid ``encoding``.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if not raw:
        raise ReferenceFormatError("file is empty", path=path, hint=_DAMAGED_HINT)
    raw = _decompress(path, raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        try:
            text = raw.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
            raise ReferenceFormatError(f"not {encoding} text ({exc})", path=path) from exc
    return text.lstrip("\ufeff")


#: What to do with a damaged file, which may be a download or the user's own local copy.
_DAMAGED_HINT = (
    "if it is a download (under resources/downloads/), delete it and run again to fetch it "
    "again; if it is a local copy named by a `path:` in the config, replace the file at that "
    "path with an intact copy (check it with `gzip -t` or `sha256sum`)"
)


def _read_bytes(path: Path) -> bytes:
    """The bytes of ``path``, or an error for a missing file or a directory."""
    if not path.exists():
        raise ReferenceFormatError("file not found", path=path, hint="check the path in config")
    if path.is_dir():
        raise ReferenceFormatError("is a directory, expected a file", path=path)
    return path.read_bytes()


def _decompress(path: Path, raw: bytes) -> bytes:
    """``raw`` unpacked when it is a single-file zip (other than Excel) or gzip data."""
    if raw[:4] == ZIP_MAGIC and not str(path).lower().endswith((".xlsx", ".xlsm")):
        raw = _unzip_single(path, raw)
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise ReferenceFormatError(
                f"gzip data is truncated or corrupt ({exc})", path=path, hint=_DAMAGED_HINT
            ) from exc
        if not raw:
            raise ReferenceFormatError("file is empty after decompression", path=path)
    return raw


#: Byte-order marks of the encodings a spreadsheet program saves text in, longest first.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with a byte-order mark"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (Excel's 'Unicode text')"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (Excel's 'Unicode text')"),
)

_SAVE_AS_UTF8 = (
    "save it as tab-separated UTF-8 text (LibreOffice: character set 'Unicode (UTF-8)'; "
    "Excel's 'Unicode text' is read too)"
)


def read_sheet_text(path: str | os.PathLike[str], what: str) -> str:
    """The text of a sheet the user wrote (set sheet, sample sheet, count table).

    Sheets come from spreadsheet programs, which save text in several ways. The rules:

    * UTF-8, with or without a byte-order mark, is read as is;
    * UTF-16 with a byte-order mark (Excel's "Unicode text") is read, with a logged note;
    * any other bytes that are not UTF-8 (cp1252 or latin-1 from an older Excel, UTF-16
      without a byte-order mark) are an error naming the line, column and byte: guessing the
      encoding would turn a ``µ`` into a ``Âµ`` without anyone noticing;
    * Windows (``\\r\\n``) and old Mac (``\\r``) line ends are read as ``\\n``; the
      latter with a logged note. Line numbers stay those of the file.

    Plain, gzip and single-file zip files are accepted, as for :func:`read_text`.

    Raises
    ------
    InputError
        For a missing, 0-byte, truncated or undecodable file; each message names the file.
    """
    path = Path(path)
    try:
        raw = _read_bytes(path)
        if not raw:
            raise InputError(
                f"the {what} file is empty (0 bytes)",
                path=path,
                hint=f"write the {what} with its header line, tab-separated",
            )
        raw = _decompress(path, raw)
    except ReferenceFormatError as exc:
        hint = exc.hint if exc.problem != "file not found" else "check the path in config"
        raise InputError(f"the {what}: {exc.problem}", path=path, hint=hint) from None
    text = _decode_sheet(raw, path, what)
    if "\r" in text:
        if "\n" not in text:
            log.warning(
                "%s: the %s has old Mac line ends (CR only); read them as line ends", path, what
            )
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _decode_sheet(raw: bytes, path: Path, what: str) -> str:
    for bom, encoding, name in _BOMS:
        if raw.startswith(bom):
            if encoding == "utf-16":
                log.warning("%s: the %s is %s; read it as such", path, what, name)
            try:
                return raw.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"the {what} starts like {name} but is not valid {encoding} ({exc.reason})",
                    path=path,
                    hint=_SAVE_AS_UTF8,
                ) from None
    if b"\x00" in raw:
        raise InputError(
            f"the {what} holds NUL bytes: it looks like UTF-16 text without a byte-order mark",
            path=path,
            hint=_SAVE_AS_UTF8,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        guess = ""
        if byte >= 0x80:
            guess = f", which is {bytes([byte]).decode('cp1252', 'replace')!r} in Windows cp1252"
        raise InputError(
            f"the {what} is not UTF-8 text: byte 0x{byte:02x} in column {column} is not "
            f"valid UTF-8{guess}",
            path=path,
            line=line,
            hint=_SAVE_AS_UTF8,
        ) from None
    return text


def _unzip_single(path: Path, raw: bytes) -> bytes:
    """Return the one data member of a zip archive (TargetScan distributes single-file zips)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and not m.filename.startswith(("__MACOSX/", "."))
            ]
            if len(members) != 1:
                names = ", ".join(m.filename for m in members) or "none"
                raise ReferenceFormatError(
                    f"zip archive must hold exactly one data file, found {len(members)} ({names})",
                    path=path,
                    hint="unzip it and point the config at the file you want",
                )
            return archive.read(members[0])
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ReferenceFormatError(
            f"zip archive is truncated or corrupt ({exc})",
            path=path,
            hint=_DAMAGED_HINT,
        ) from exc


@contextlib.contextmanager
def open_text(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Iterator[io.StringIO]:
    """Open a plain or gzip-compressed text file for reading (see :func:`read_text`)."""
    yield io.StringIO(read_text(path, encoding=encoding), newline=None)


def _sniff_delimiter(first_line: str) -> str | None:
    counts = {sep: first_line.count(sep) for sep in ("\t", ",", ";", "|")}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else None


_SEP_NAMES = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe", " ": "space"}


def read_delimited(
    path: str | os.PathLike[str],
    *,
    required: Sequence[str] = (),
    sep: str = "\t",
    what: str = "table",
    comment: str | None = None,
    dtype: object = str,
    header: int | None = 0,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read a delimited text table and check that ``required`` columns are present.

    All columns are read as strings by default (``dtype=str``) so that identifiers such as
    Entrez IDs or PMIDs keep their exact spelling; callers convert what they need.

    Errors name the file and the problem: empty file, wrong delimiter (the header splits into one
    field but contains another delimiter), missing columns (listing those found), or rows with the
    wrong number of fields (with the line number).
    """
    text = read_text(path)
    lines = [
        ln for ln in text.splitlines() if ln.strip() and not (comment and ln.startswith(comment))
    ]
    if not lines:
        raise ReferenceFormatError(f"{what} has no rows", path=path)
    if header is not None and names is None:
        first = lines[0]
        fields = first.split(sep)
        sniffed = _sniff_delimiter(first)
        if len(fields) == 1 and sniffed and sniffed != sep:
            raise ReferenceFormatError(
                f"{what} is not {_SEP_NAMES.get(sep, repr(sep))}-separated: its header looks "
                f"{_SEP_NAMES.get(sniffed, repr(sniffed))}-separated",
                path=path,
                line=1,
                hint=f"save it as a {_SEP_NAMES.get(sep, repr(sep))}-separated file",
            )
        from .tables import require_columns  # exomir.tables reads through this module

        require_columns(
            pd.DataFrame(columns=[f.strip().strip('"') for f in fields]),
            required,
            what,
            path,
            error=ReferenceFormatError,
            line=1,
            hint="use the file as distributed, with its original header",
        )
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(lines) + "\n"),
            sep=sep,
            header=header,
            names=names,
            dtype=dtype,
            keep_default_na=False,
            na_values=[],
            quoting=csv.QUOTE_MINIMAL,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise ReferenceFormatError(f"{what} could not be parsed: {exc}", path=path) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; rename it onto ``dest`` only on success."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=suffix + ".tmp", dir=dest.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates the file readable by its owner only; give it the permissions an
        # ordinary file would get, so that colleagues on a shared filesystem can read results.
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, dest)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(text: str, dest: str | os.PathLike[str]) -> None:
    """Write ``text`` to ``dest`` atomically (UTF-8, ``\\n`` line endings)."""
    with atomic_path(dest) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def write_json(data: Mapping[str, Any], dest: str | os.PathLike[str]) -> None:
    """Write ``data`` as sorted, indented JSON (deterministic), atomically."""
    write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", dest)


def _booleans_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Spell boolean columns ``true``/``false`` (missing stays empty), as documented."""
    out = frame
    for column in frame.columns:
        values = frame[column]
        if values.dtype == bool or str(values.dtype) == "boolean":
            pass
        elif values.dtype == object:
            present = values.dropna()
            if present.empty or not all(isinstance(v, bool) for v in present):
                continue
        else:
            continue
        if out is frame:
            out = frame.copy()
        out[column] = values.map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
    return out


def write_tsv(frame: pd.DataFrame, dest: str | os.PathLike[str]) -> None:
    """Write ``frame`` as a tab-separated table, atomically and deterministically.

    Booleans are written ``true``/``false``, floats with :data:`FLOAT_FORMAT`, missing values as
    empty cells.
    """
    frame = _booleans_as_text(frame)
    with atomic_path(dest) as tmp:
        frame.to_csv(
            tmp, sep="\t", index=False, float_format=FLOAT_FORMAT, lineterminator="\n", na_rep=""
        )


def concat_tsv(paths: Sequence[str | os.PathLike[str]], dest: str | os.PathLike[str]) -> None:
    """Write the rows of the tab-separated tables ``paths`` one after the other, under their
    common header, to ``dest`` (atomically; the rows' bytes are copied unchanged).

    Raises
    ------
    InputError
        When there is no table, a file is empty or its header differs from the first one's.
    """
    if not paths:
        raise InputError("no table to join", path=dest)
    header: str | None = None
    rows: list[str] = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            first = handle.readline()
            if not first:
                raise InputError("the table is empty (no header line)", path=path)
            if header is None:
                header = first
            elif first != header:
                raise InputError(
                    f"its header differs from that of {paths[0]}",
                    path=path,
                    line=1,
                    hint="tables written by the same version of exomir have the same columns; "
                    "delete the stale one so that it is written again",
                )
            rows.append(handle.read())
    body = "".join(r if not r or r.endswith("\n") else r + "\n" for r in rows)
    with atomic_path(dest) as tmp, open(tmp, "w", encoding="utf-8", newline="") as out:
        out.write(str(header) + body)


def write_parquet(frame: pd.DataFrame, dest: str | os.PathLike[str]) -> None:
    """Write ``frame`` as Parquet atomically (no index, zstd compression)."""
    with atomic_path(dest, suffix=".parquet") as tmp:
        frame.to_parquet(tmp, index=False, compression="zstd")


def read_tsv(path: str | os.PathLike[str], *, strings: bool = False) -> pd.DataFrame:
    """Read a TSV that exomir wrote itself.

    Numbers are parsed and empty cells are missing values; with ``strings=True`` every cell is
    read as text and empty cells stay empty strings (for audit tables).
    """
    if strings:
        return pd.read_csv(path, sep="\t", keep_default_na=False, na_values=[], dtype=str)
    return pd.read_csv(path, sep="\t", keep_default_na=False, na_values=[""])
