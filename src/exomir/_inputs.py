"""Inputs of the enrichment: edge pairs, gene-set libraries, name lists and background genes.

Readers and cleaners of what the engine (:mod:`exomir._engine`) consumes, and the integer
encodings it builds its matrices from. Every reader names the file in its errors.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._io import read_text
from ._settings import EnrichmentSettings
from .errors import ConfigError, InputError, ReferenceFormatError
from .tables import EDGES, SET_TARGETS, read_table, require_columns

#: HGNC ``locus_group`` of protein-coding genes.
PROTEIN_CODING = "protein-coding gene"


def read_name_list(path: str | os.PathLike[str], *, what: str, key: str) -> list[str]:
    """Names listed one per line (first tab-separated field; ``#`` comments and blanks skipped).

    Used for the miRNA-universe file and the user background.  Errors are :class:`ConfigError`
    naming the file and the config ``key`` that points at it.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{what} file not found", path=path, hint=f"check {key} in config")
    try:
        text = read_text(path) if path.stat().st_size else ""
    except ReferenceFormatError as exc:
        raise ConfigError(f"{what} file cannot be read: {exc.problem}", path=path) from exc
    names = []
    for line in text.splitlines():
        name = line.split("\t", 1)[0].strip()
        if name and not name.startswith("#"):
            names.append(name)
    if not names:
        raise ConfigError(
            f"{what} file lists no names",
            path=path,
            hint=f"write one name per line, or change {key}",
        )
    return sorted(set(names))


def _names(values: pd.Series) -> list[str]:
    """Sorted distinct strings of a column (via an object array: iterating Arrow strings one by
    one is slow)."""
    return sorted(set(values.to_numpy(dtype=object).tolist()))


def _codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a text column and its distinct values, sorted; missing/blank -> -1.

    Whitespace is stripped on the distinct values only (a few thousand), not on every row, and
    the codes follow the sorted order of the stripped values, so sorting by code is sorting by
    name.
    """
    if isinstance(values, pd.Series):
        codes, uniques = values.factorize()  # Arrow-backed strings factorize natively
    else:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    stripped = np.array([str(u).strip() for u in np.asarray(uniques, dtype=object)], dtype=object)
    new_codes, names = pd.factorize(stripped, sort=True)
    names = np.asarray(names, dtype=object)
    lookup = np.append(new_codes, -1)  # code -1 (missing) stays -1
    codes = lookup[codes]
    blank = np.flatnonzero(names == "")
    if blank.size:
        codes = np.where(codes == blank[0], -1, codes)
        codes = codes - (codes > blank[0])
        names = np.delete(names, blank[0])
    return codes.astype(np.int64), names


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct integers (a sort and a comparison: faster than ``np.unique`` here)."""
    ordered = np.sort(values, kind="stable")
    if ordered.size == 0:
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]


@dataclass
class EdgePairs:
    """Edges as sorted unique ``(miRNA code, gene code)`` pairs."""

    mirnas: np.ndarray
    genes: np.ndarray
    mirna_of: np.ndarray
    gene_of: np.ndarray

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"mirna": self.mirnas[self.mirna_of], "gene": self.genes[self.gene_of]}, dtype="str"
        )


def encode_edge_pairs(edges: pd.DataFrame, path: object = None) -> EdgePairs:
    """The distinct ``(mirna, gene)`` pairs of an edge table as sorted integer codes."""
    EDGES.require(edges, path, columns=("mirna", "gene"))
    m, mirnas = _codes(edges["mirna"])
    g, genes = _codes(edges["gene"])
    ok = (m >= 0) & (g >= 0)
    pair = unique_sorted(m[ok] * len(genes) + g[ok])
    return EdgePairs(mirnas, genes, pair // max(len(genes), 1), pair % max(len(genes), 1))


def clean_edge_pairs(edges: pd.DataFrame, path: object = None) -> pd.DataFrame:
    """Unique, non-empty ``(mirna, gene)`` pairs of an edge table, sorted, whitespace stripped."""
    return encode_edge_pairs(edges, path).frame()


def read_edge_pairs(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The ``(mirna, gene)`` pairs of an edge table (Parquet or TSV); see :func:`clean_edge_pairs`.

    Only the pairs are kept: the engine counts targets, it does not weigh them (the signatures
    read the evidence with :func:`exomir.signatures.read_scoring_edges`).
    """
    return clean_edge_pairs(
        read_table(path, EDGES.what, ("mirna", "gene"), only_required=True), path
    )


@dataclass
class GeneSetCodes:
    """Gene-set memberships as codes: terms sorted by (library, term_id), genes sorted."""

    libraries: np.ndarray
    terms: pd.DataFrame  # library, term_id, term, library_index
    genes: np.ndarray
    term_of: np.ndarray
    gene_of: np.ndarray


def encode_gene_sets(gene_sets: pd.DataFrame, path: object = None) -> GeneSetCodes:
    """Distinct ``(term, gene)`` memberships of long-format libraries as integer codes."""
    require_columns(gene_sets, ("library", "term_id", "term", "gene"), "gene-set table", path)
    lib, libraries = _codes(gene_sets["library"])
    tid, term_ids = _codes(gene_sets["term_id"])
    gene, genes = _codes(gene_sets["gene"])
    ok = np.flatnonzero((lib >= 0) & (tid >= 0) & (gene >= 0))
    if not ok.size:
        raise InputError(
            "gene-set table has no membership (every row lacks a library, term ID or gene)",
            path=path,
            hint="check the gene-set libraries in config",
        )
    key = lib[ok] * len(term_ids) + tid[ok]
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    keys = ordered[starts]
    first = order[starts]  # stable sort: the first occurrence of each term in the input
    term_of = np.empty(key.size, dtype=np.int64)
    term_of[order] = np.cumsum(starts) - 1
    # Only the first row of each term is turned into Python strings, not the whole column.
    names = np.asarray(gene_sets["term"].iloc[ok[first]], dtype=object)
    names = np.array(["" if pd.isna(n) else str(n).strip() for n in names], dtype=object)
    lib_of_term = keys // len(term_ids)
    terms = pd.DataFrame(
        {
            "library": libraries[lib_of_term],
            "term_id": term_ids[keys % len(term_ids)],
            "term": names,
            "library_index": lib_of_term,
        }
    ).astype({"library": "str", "term_id": "str", "term": "str"})
    pair = unique_sorted(term_of.astype(np.int64) * len(genes) + gene[ok])
    return GeneSetCodes(libraries, terms, genes, pair // len(genes), pair % len(genes))


def clean_gene_sets(gene_sets: pd.DataFrame, path: object = None) -> pd.DataFrame:
    """Unique ``(library, term_id, term, gene)`` memberships; one name per ``(library, term_id)``.

    Genes repeated inside a set (some msigdbr exports repeat them) count once.  When a term ID
    carries two names, the first one in the input is kept.  Sorted by library, term ID, gene.
    """
    enc = encode_gene_sets(gene_sets, path)
    terms = enc.terms.iloc[enc.term_of]
    return pd.DataFrame(
        {
            "library": terms["library"].to_numpy(),
            "term_id": terms["term_id"].to_numpy(),
            "term": terms["term"].to_numpy(),
            "gene": enc.genes[enc.gene_of],
        },
        dtype="str",
    )


def read_gene_sets(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> pd.DataFrame:
    """Read and concatenate normalised gene-set libraries (Parquet or TSV, long format).

    The engine removes blanks and duplicates itself (:func:`clean_gene_sets` does the same for
    other uses), so the rows are returned as read.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    frames = []
    for path in paths:
        frames.append(
            read_table(
                path, "gene-set table", ("library", "term_id", "term", "gene"), only_required=True
            )
        )
    if not frames:
        raise InputError("no gene-set library given", hint="list at least one library in config")
    return pd.concat(frames, ignore_index=True)


def distinct_names(values: pd.Series) -> list[str]:
    """Sorted distinct non-blank strings of a column, whitespace stripped."""
    names = values.dropna().astype("str").str.strip()
    return _names(names[names != ""])


def read_set_mirnas(path: str | os.PathLike[str]) -> list[str]:
    """The miRNAs of a set's target table (``results/targets/{set}.tsv``), sorted."""
    frame = read_table(path, SET_TARGETS.what, ("mirna", "gene"))
    return distinct_names(frame["mirna"])


def protein_coding_genes(gene_table: pd.DataFrame, path: object = None) -> list[str]:
    """Approved symbols of the HGNC protein-coding genes of a gene table (``genes.parquet``)."""
    require_columns(gene_table, ("symbol", "locus_group"), "gene table", path)
    keep = gene_table["locus_group"].astype("str") == PROTEIN_CODING
    genes = _names(gene_table.loc[keep, "symbol"].astype("str"))
    if not genes:
        raise InputError(
            f"gene table has no {PROTEIN_CODING!r} rows in locus_group",
            path=path,
            hint="use the HGNC complete set",
        )
    return genes


def background_gene_list(
    settings: EnrichmentSettings, gene_table: str | os.PathLike[str] | None = None
) -> list[str] | None:
    """The gene list a background kind needs (None for ``targetable`` and ``library``)."""
    kind = settings.background
    if kind == "user":
        return read_name_list(
            settings.background_genes, what="background gene", key="enrichment.background_genes"
        )
    if kind == "protein_coding":
        if gene_table is not None:
            table = read_table(gene_table, "gene table", ("symbol", "locus_group"))
            return protein_coding_genes(table, gene_table)
        if settings.background_genes:
            return read_name_list(
                settings.background_genes,
                what="protein-coding gene",
                key="enrichment.background_genes",
            )
        raise ConfigError(
            "enrichment.background is 'protein_coding' but no gene table or gene list is given",
            hint="give the rule the gene table, or set enrichment.background_genes",
        )
    return None
