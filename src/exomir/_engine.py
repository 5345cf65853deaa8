"""The enrichment engine: universe and queries, ORA, the empirical null of one set, redundancy,
and the result files.

See :mod:`exomir.enrichment` for the method, the output contract and why the empirical null
is stratified on target counts by default (:data:`exomir._settings.DEFAULT_STRATA`). The
settings are in :mod:`exomir._settings`, the input readers in :mod:`exomir._inputs`.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import threading
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import __version__
from ._analytic import MatchingReport, matching_report
from ._inputs import (
    background_gene_list,
    clean_edge_pairs,
    distinct_names,
    encode_edge_pairs,
    encode_gene_sets,
    read_name_list,
    unique_sorted,
)
from ._io import atomic_path, write_json, write_text, write_tsv
from ._null import (
    MIN_STRATUM_FACTOR,
    NullCounts,
    RandomSets,
    ShareTest,
    ShuffledSets,
    Strata,
    TargetUnions,
    count_bins,
    count_dtype,
    log10_distinct_uniform,
    sequential_null,
    stratify,
    tilt_strata,
)
from ._pvalues import (
    GPD_MAX_EXCEEDANCES,
    GPD_TAIL_SIZE,
    OpenTerms,
    exceedance_lower_bound,
    exceedance_upper_bound,
    family_fdr,
    fit_gpd_tail,
    floor_pvalue,
    open_terms,
)
from ._scores import (
    GATHER_MAX_K,
    SCORE_CAP,
    SCORE_SCALE,
    SCORE_THRESHOLD,
    FamilyCollapse,
    ScoreSums,
    mirna_term_scores,
    product_dtype,
    score_null,
    target_families,
)
from ._settings import (
    UNIVERSE_KINDS,
    EnrichmentSettings,
    NullSettings,
    check_background_kind,
    check_size_range,
)
from ._stats import hypergeometric_sf
from .errors import ConfigError, InputError
from .focus import FocusPathway, flag_focus
from .tables import ENRICHMENT, SET_TARGETS, read_table

log = logging.getLogger("exomir.enrichment")

#: Spawn key of the seed's second stream, the one that extends the null beyond ``n_random``
#: (:meth:`EnrichmentEngine.analyse`): ``SeedSequence(seed, spawn_key=(EXTENSION_STREAM,))``.
EXTENSION_STREAM = 1

# --------------------------------------------------------------------------------------------
# Universe and queries


@dataclass(frozen=True)
class Universe:
    """The miRNAs that random sets are drawn from.

    Attributes
    ----------
    mirnas
        Sorted names; every one has at least one target edge.
    kind
        ``all`` or ``file``.
    source
        The listing file for ``file``.
    dropped
        Names listed in the file that have no target edge (left out, reported).
    """

    mirnas: tuple[str, ...]
    kind: str = "all"
    source: str | None = None
    dropped: tuple[str, ...] = ()


def build_universe(
    edges: pd.DataFrame,
    *,
    kind: str = "all",
    mirnas: Iterable[str] | None = None,
    source: str | os.PathLike[str] | None = None,
) -> Universe:
    """The miRNA universe: all miRNAs with a target edge, or a listed subset of them.

    A listed miRNA without any target edge cannot change a random set's target union, so it is
    left out (and reported in ``dropped``) rather than silently diluting the null.
    """
    enc = encode_edge_pairs(edges)
    targeted = enc.mirnas[unique_sorted(enc.mirna_of)].tolist()
    if kind == "all":
        if not targeted:
            raise InputError("the edge table has no miRNA with a target", path=source)
        return Universe(tuple(targeted), "all")
    if kind != "file":
        raise ConfigError(
            "unknown enrichment.empirical.universe",
            value=kind,
            hint=f"use one of {', '.join(UNIVERSE_KINDS)}",
        )
    if mirnas is None and source is not None:
        mirnas = read_name_list(
            source, what="miRNA universe", key="enrichment.empirical.universe_file"
        )
    listed = sorted(set(mirnas or ()))
    if not listed:
        raise ConfigError(
            "the miRNA universe list is empty",
            path=source,
            hint="list one miRNA per line in enrichment.empirical.universe_file",
        )
    have = set(targeted)
    kept = tuple(m for m in listed if m in have)
    dropped = tuple(m for m in listed if m not in have)
    if not kept:
        raise ConfigError(
            f"none of the {len(listed)} miRNAs of the universe list has a target under the "
            "chosen sources",
            path=source,
            value=listed[:5],
            hint="use current miRBase names (e.g. hsa-miR-21-5p) or universe: all",
        )
    if dropped:
        log.warning(
            "%d of %d universe miRNAs have no target edge and are left out: %s%s",
            len(dropped),
            len(listed),
            ", ".join(dropped[:10]),
            " ..." if len(dropped) > 10 else "",
        )
    return Universe(kept, "file", None if source is None else str(source), dropped)


@dataclass(frozen=True)
class Query:
    """A miRNA set as the engine sees it.

    Attributes
    ----------
    name
        Set name.
    mirnas
        The analysed miRNAs: members of the universe, sorted.
    index
        Their rows in the universe.
    not_targeted
        Members without any target edge (nothing to test).
    outside_universe
        Members with target edges that are not in a ``file`` universe: left out of both tests,
        because the null can only draw universe miRNAs.
    """

    name: str
    mirnas: tuple[str, ...]
    index: np.ndarray
    not_targeted: tuple[str, ...] = ()
    outside_universe: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """Number of analysed miRNAs."""
        return len(self.mirnas)


# --------------------------------------------------------------------------------------------
# Engine


class EnrichmentEngine:
    """Everything that does not depend on the query set, built once for all libraries.

    * a sorted gene index (the union of the libraries' backgrounds),
    * a sparse term x gene membership matrix ``M`` (CSR, int16) over the background, holding
      every term of every library whose background size is within ``[min_size, max_size]``,
    * a gene x library background indicator (targets counted per library),
    * the miRNA universe and its sparse miRNA x gene target matrix.

    Then a set's overlaps with every term are one sparse product ``M @ union``, and a batch of
    random sets is one sparse-times-dense product.

    Parameters
    ----------
    edges
        All miRNA -> gene edges of the species after the target policy (``mirna``, ``gene``).
    gene_sets
        Long-format libraries (``library``, ``term_id``, ``term``, ``gene``).
    background
        One of :data:`BACKGROUND_KINDS`.  Every kind is intersected with each library's gene
        union, per library: a gene that no term of a library annotates carries no information
        about that library, and counting it would inflate every term's fold enrichment.

        * ``targetable``: genes with at least one edge (the default: a gene no miRNA can
          target could never be in the overlap, so it must not be in the urn either);
        * ``library``: the library's genes;
        * ``user``: ``background_genes`` (e.g. genes expressed in recipient cells); targets
          outside it are not counted;
        * ``protein_coding``: ``background_genes`` (the gene table's protein-coding genes).
    background_genes
        Gene list for ``user`` and ``protein_coding``.
    universe
        The miRNA universe (default: :func:`build_universe` ``kind="all"``).
    min_size, max_size
        Size limits of tested terms, counted inside the background.
    focus
        Focus pathways to flag in the ``focus`` column.
    """

    def __init__(
        self,
        edges: pd.DataFrame,
        gene_sets: pd.DataFrame,
        *,
        background: str = "targetable",
        background_genes: Iterable[str] | None = None,
        universe: Universe | None = None,
        min_size: int = 10,
        max_size: int = 500,
        focus: Mapping[str, FocusPathway] | None = None,
    ) -> None:
        check_background_kind(background)
        check_size_range(min_size, max_size, "enrichment")
        enc_edges = encode_edge_pairs(edges)
        enc = encode_gene_sets(gene_sets)
        self.background_kind = background
        self.min_size, self.max_size = int(min_size), int(max_size)
        self.edges = enc_edges.frame()
        self.universe = universe or build_universe(self.edges)

        # Which library genes are in the base background (a mask over the library genes).
        if background == "targetable":
            in_base = pd.Index(enc_edges.genes).get_indexer(enc.genes) >= 0
        elif background == "library":
            in_base = np.ones(len(enc.genes), dtype=bool)
        else:
            if background_genes is None:
                raise ConfigError(
                    f"enrichment.background is {background!r} but no gene list was given",
                    hint="set enrichment.background_genes",
                )
            base = pd.Index(sorted({str(g).strip() for g in background_genes} - {""}))
            if base.empty:
                raise ConfigError(f"the {background} background gene list is empty")
            in_base = base.get_indexer(enc.genes) >= 0
        keep = in_base[enc.gene_of]
        term_of, gene_of = enc.term_of[keep], enc.gene_of[keep]

        self.libraries: tuple[str, ...] = tuple(enc.libraries.tolist())
        n_libs = len(self.libraries)
        lib_of_term = enc.terms["library_index"].to_numpy()
        # Per-library backgrounds: distinct (library, gene) pairs among background memberships.
        lib_gene = unique_sorted(lib_of_term[term_of] * len(enc.genes) + gene_of)
        bg_lib, bg_gene = lib_gene // len(enc.genes), lib_gene % len(enc.genes)
        used_genes = unique_sorted(bg_gene)  # sorted codes = sorted names
        self.genes = enc.genes[used_genes]
        gene_pos = np.full(len(enc.genes), -1, dtype=np.int64)
        gene_pos[used_genes] = np.arange(used_genes.size)
        self.background_sizes = np.bincount(bg_lib, minlength=n_libs).astype(np.int64)
        self.library_background = sp.csr_array(
            (np.ones(bg_lib.size, dtype=np.int32), (gene_pos[bg_gene], bg_lib)),
            shape=(len(self.genes), n_libs),
        )

        sizes = np.bincount(term_of, minlength=len(enc.terms))
        tested = (sizes >= self.min_size) & (sizes <= self.max_size)
        self.n_terms_total = len(enc.terms)
        self.n_terms_out_of_range = int((~tested).sum())
        terms = enc.terms[tested].reset_index(drop=True)
        terms.insert(3, "term_size", sizes[tested].astype(np.int64))
        terms["background_size"] = self.background_sizes[terms["library_index"].to_numpy()]
        terms["focus"] = flag_focus(terms, focus) if focus else ""
        self.terms = terms
        for lib, size in zip(self.libraries, self.background_sizes, strict=True):
            n = int((terms["library"] == lib).sum())
            log.info("library %s: background %d genes, %d terms tested", lib, size, n)
            if n == 0:
                # A library without a testable term would vanish from every result unseen.
                raise InputError(
                    f"gene-set library {lib!r} has no term with {self.min_size}-"
                    f"{self.max_size} genes in its background of {size} genes, so none of its "
                    "terms can be tested",
                    hint="widen enrichment.min_size / enrichment.max_size, choose another "
                    f"enrichment.background, or remove {lib} from references.gene_sets",
                )

        row_of_term = np.full(len(enc.terms), -1, dtype=np.int64)
        row_of_term[np.flatnonzero(tested)] = np.arange(int(tested.sum()))
        rows = row_of_term[term_of]
        hit = rows >= 0
        self.dtype = count_dtype(self.max_size)
        self.membership = sp.csr_array(
            (np.ones(int(hit.sum()), dtype=self.dtype), (rows[hit], gene_pos[gene_of[hit]])),
            shape=(len(terms), len(self.genes)),
        )
        self.membership.sort_indices()

        # Target matrix of the universe over the engine's genes.
        uni_row = pd.Index(self.universe.mirnas).get_indexer(enc_edges.mirnas)
        edge_col = pd.Index(self.genes).get_indexer(enc_edges.genes)
        rows_u = uni_row[enc_edges.mirna_of]
        in_uni = rows_u >= 0
        self.target_counts = np.bincount(rows_u[in_uni], minlength=len(self.universe.mirnas))
        cols = edge_col[enc_edges.gene_of]
        use = in_uni & (cols >= 0)
        self.targets = sp.csr_array(
            (np.ones(int(use.sum()), dtype=np.int8), (rows_u[use], cols[use])),
            shape=(len(self.universe.mirnas), len(self.genes)),
        )
        self._unions: TargetUnions | None = None
        self._share: ShareTest | None = None
        self._scores: np.ndarray | None = None
        self._score_rows: dict[type, np.ndarray] = {}
        self._collapse: FamilyCollapse | None = None
        self._family_jaccard = 0.0
        self._score_threshold = SCORE_THRESHOLD
        self._summed: np.ndarray | None = None
        self._score_lock = threading.Lock()
        self._bins: dict[int, np.ndarray] = {}
        self._targeted = set(enc_edges.mirnas[unique_sorted(enc_edges.mirna_of)].tolist())

    @classmethod
    def from_settings(
        cls,
        edges: pd.DataFrame,
        gene_sets: pd.DataFrame,
        settings: EnrichmentSettings,
        *,
        gene_table: str | os.PathLike[str] | None = None,
        focus: Mapping[str, FocusPathway] | None = None,
    ) -> EnrichmentEngine:
        """Build an engine as the config says (reads the background and universe files)."""
        null = settings.null
        universe = (
            build_universe(edges)
            if null is None
            else build_universe(edges, kind=null.universe, source=null.universe_file)
        )
        engine = cls(
            edges,
            gene_sets,
            background=settings.background,
            background_genes=background_gene_list(settings, gene_table),
            universe=universe,
            min_size=settings.min_size,
            max_size=settings.max_size,
            focus=focus,
        )
        if null is not None:
            engine.use_score_threshold(null.score_threshold)
            if null.families:
                engine.count_families(null.families)
        return engine

    # -- queries -------------------------------------------------------------------------

    @property
    def unions(self) -> TargetUnions:
        """Bit-packed target unions of the universe (built on first use)."""
        if self._unions is None:
            self._unions = TargetUnions(self.targets, self.dtype)
        return self._unions

    def share_test(self, rows: np.ndarray, n_targets: np.ndarray) -> ShareTest:
        """The share statistic's comparison for the terms ``rows`` of a set with ``n_targets``
        (per term, all terms): see :class:`exomir._null.ShareTest`."""
        if self._share is None:
            self._share = ShareTest.build(
                self.unions,
                self.library_background,
                np.zeros(len(self.terms), dtype=np.int64),
                self.terms["library_index"].to_numpy(),
            )
        return replace(
            self._share.subset(rows), n_targets=np.asarray(n_targets, dtype=np.int64)[rows]
        )

    @property
    def mirna_scores(self) -> np.ndarray:
        """Every universe miRNA's score for every term (miRNAs x terms, int32; built on first
        use): :func:`exomir._scores.mirna_term_scores`, the ``mirna_sum`` statistic's parts."""
        if self._scores is None:
            self._build_scores(1)
        assert self._scores is not None
        return self._scores

    def _build_scores(self, threads: int) -> None:
        self._scores = mirna_term_scores(
            self.targets,
            self.membership,
            self.library_background,
            self.terms["library_index"].to_numpy(),
            self.terms["term_size"].to_numpy(),
            self.terms["background_size"].to_numpy(),
            threads=threads,
            threshold=self._score_threshold,
        )

    @property
    def score_threshold(self) -> float:
        """The p-value beyond which a miRNA's evidence counts in :attr:`mirna_scores`."""
        return self._score_threshold

    def use_score_threshold(self, threshold: float) -> None:
        """Score evidence beyond ``threshold`` (:func:`exomir._scores.mirna_term_scores`); a
        change drops the score matrix built for another threshold."""
        threshold = float(threshold)
        if threshold == self._score_threshold:
            return
        with self._score_lock:
            self._score_threshold = threshold
            self._scores = None
            self._score_rows.clear()
            self._summed = None

    @property
    def score_fingerprint(self) -> str:
        """SHA-256 of everything the score matrix depends on: the universe, the genes, each
        miRNA's targets, the terms with their genes and sizes, and the libraries' backgrounds.
        A saved matrix is only used by an engine with the same fingerprint."""
        digest = hashlib.sha256(
            f"scores v2 {SCORE_SCALE} {SCORE_CAP} {self._score_threshold!r}".encode()
        )
        for name in ("\x1e".join(self.universe.mirnas), "\x1e".join(map(str, self.genes))):
            digest.update(name.encode())
        terms = self.terms
        for column in ("library", "term_id"):
            digest.update("\x1e".join(map(str, terms[column])).encode())
        for matrix in (self.targets, self.membership, self.library_background):
            m = sp.csr_array(matrix)
            m.sort_indices()
            for part in (m.shape, m.indptr, m.indices):
                digest.update(np.asarray(part, dtype=np.int64).tobytes())
        for column in ("term_size", "background_size", "library_index"):
            digest.update(terms[column].to_numpy(dtype=np.int64).tobytes())
        return digest.hexdigest()

    def save_mirna_scores(self, path: str | os.PathLike[str], *, threads: int = 1) -> None:
        """Write :attr:`mirna_scores` (built with ``threads`` if needed) with the engine's
        fingerprint to ``path`` (a ``.npz`` file, written under a temporary name and renamed
        when complete), so that the other jobs of a run load it instead of building it again."""
        if self._scores is None:
            self._build_scores(threads)
        scores = self.mirna_scores
        with atomic_path(path, ".npz") as tmp, open(tmp, "wb") as handle:
            np.savez(handle, scores=scores, fingerprint=np.array(self.score_fingerprint))

    def load_mirna_scores(self, path: str | os.PathLike[str]) -> None:
        """Use the score matrix saved by :meth:`save_mirna_scores` at ``path``.

        Raises
        ------
        InputError
            When the file cannot be read, or was made for other references, settings or
            miRNA universe than this engine's (its fingerprint differs).
        """
        try:
            with np.load(path, allow_pickle=False) as saved:
                scores, fingerprint = saved["scores"], str(saved["fingerprint"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise InputError(
                f"cannot read the saved miRNA score matrix: {exc}",
                path=path,
                hint="delete the file; the workflow builds it again",
            ) from exc
        expected = (len(self.universe.mirnas), len(self.terms))
        if fingerprint != self.score_fingerprint or scores.shape != expected:
            raise InputError(
                "the saved miRNA score matrix was built for other targets, gene sets or "
                "enrichment settings than this run's",
                path=path,
                hint="delete the file; the workflow builds it again",
            )
        self._scores = np.ascontiguousarray(scores, dtype=np.int32)
        self._summed = None
        self._score_rows.clear()

    def count_families(self, min_jaccard: float) -> None:
        """Count each family of miRNAs with shared targets once in a set in the ``mirna_sum`` statistic
        (:class:`~exomir._scores.FamilyCollapse`; families from
        :func:`~exomir._scores.target_families` with ``min_jaccard``); 0 counts every miRNA."""
        min_jaccard = float(min_jaccard)
        if min_jaccard == self._family_jaccard:
            return
        with self._score_lock:
            self._family_jaccard = min_jaccard
            self._score_rows.clear()
            self._summed = None
            self._collapse = (
                FamilyCollapse(target_families(self.targets, min_jaccard)) if min_jaccard else None
            )

    @property
    def collapse(self) -> FamilyCollapse | None:
        """How families are counted in the ``mirna_sum`` statistic (None: every miRNA)."""
        return self._collapse

    @property
    def summed_scores(self) -> np.ndarray:
        """The rows the ``mirna_sum`` statistic sums: :attr:`mirna_scores`, extended by the
        family rows of :attr:`collapse` when families are counted once."""
        if self._collapse is None:
            return self.mirna_scores
        if self._summed is None:
            self._summed = self._collapse.extend(self.mirna_scores)
        return self._summed

    def set_families(self, index: np.ndarray) -> list[dict[str, Any]]:
        """The families that :attr:`collapse` counts once among the universe rows ``index``
        (those with two or more members there; empty when families are off): per family, the
        set's members (``in_set``, joined by " + ") and the family's size."""
        if self._collapse is None:
            return []
        index = np.asarray(index, dtype=np.int64)
        collapse = self._collapse
        names = self.universe.mirnas
        present = set(index.tolist())
        out = []
        families, counts = np.unique(collapse.family_of[index], return_counts=True)
        for fam in families[counts > 1].tolist():
            members = np.flatnonzero(collapse.family_of == fam)
            out.append(
                {
                    "in_set": " + ".join(sorted(names[m] for m in members if m in present)),
                    "family_size": int(members.size),
                }
            )
        return sorted(out, key=lambda row: row["in_set"])

    def score_sums(self, columns: np.ndarray, k: int) -> ScoreSums:
        """:class:`~exomir._scores.ScoreSums` of random sets of ``k`` miRNAs for the terms
        ``columns``, cut from the engine's score matrix (converted once per float type for the
        product route; safe to call from several threads)."""
        columns = np.asarray(columns, dtype=np.int64)
        collapse = self._collapse
        if k <= GATHER_MAX_K:
            return ScoreSums(self.summed_scores, k, select=columns, collapse=collapse)
        dtype = product_dtype(k)
        with self._score_lock:
            rows = self._score_rows.get(dtype)
            if rows is None:
                rows = self._score_rows[dtype] = np.ascontiguousarray(
                    self.summed_scores.T, dtype=dtype
                )
        return ScoreSums(self.summed_scores, k, rows=rows, select=columns, collapse=collapse)

    def observed_scores(self, index: np.ndarray) -> np.ndarray:
        """The ``mirna_sum`` statistic of the miRNAs ``index`` (universe rows) for every term, in
        :data:`exomir._scores.SCORE_SCALE` units (int64), each family counted once when
        :attr:`collapse` says so."""
        index = np.asarray(index, dtype=np.int64)
        if self._collapse is not None:
            index = self._collapse.rows(index)
        return self.summed_scores[index].sum(axis=0, dtype=np.int64)

    def first_null(
        self,
        rows: np.ndarray,
        overlap: np.ndarray,
        n_targets: np.ndarray,
        sets: RandomSets,
        null: NullSettings,
        *,
        threads: int = 1,
        what: str = "empirical null",
        progress: bool = True,
        score: np.ndarray | None = None,
    ) -> NullCounts:
        """The first ``N`` random sets of a set's null for the terms ``rows``, with sequential
        stopping, counting exceedances of the run's statistic (``null.statistic``: the share of
        the set's targets in the term, the raw overlap, or the summed miRNA scores ``score``,
        which that statistic needs)."""
        if _is_sum(null):
            if score is None:
                raise ValueError("the mirna_sum statistic needs the set's observed scores")
            return score_null(
                self.score_sums(rows, sets.k),
                np.asarray(score)[rows],
                sets,
                null.n_random,
                stop_after=null.sequential_stop,
                what=what,
                progress=progress,
            )
        return sequential_null(
            self.membership[rows],
            overlap[rows],
            sets,
            self.unions,
            null.n_random,
            stop_after=null.sequential_stop,
            threads=threads,
            what=what,
            progress=progress,
            share=self.share_test(rows, n_targets) if null.statistic == "share" else None,
        )

    @property
    def background(self) -> list[str]:
        """Union of the per-library backgrounds (each library's is this ∩ the library)."""
        return list(self.genes)

    def query(self, name: str, mirnas: Iterable[str]) -> Query:
        """Resolve a set's miRNAs against the universe (see :class:`Query`).

        Raises
        ------
        InputError
            When none of the set's miRNAs is in the universe: there is nothing to test.
        """
        names = sorted({str(m).strip() for m in mirnas} - {""})
        pos = pd.Index(self.universe.mirnas)
        index = pos.get_indexer(names)
        analysed = tuple(n for n, i in zip(names, index, strict=True) if i >= 0)
        not_targeted = tuple(n for n in names if n not in self._targeted)
        outside = tuple(
            n for n, i in zip(names, index, strict=True) if i < 0 and n in self._targeted
        )
        if outside:
            log.warning(
                "set %s: %d miRNA(s) with targets are not in the miRNA universe and are left "
                "out: %s",
                name,
                len(outside),
                ", ".join(outside),
            )
        if not analysed:
            raise InputError(
                f"set {name!r}: none of its {len(names)} miRNAs has a target in the miRNA universe",
                value=names[:5],
                hint="check the target sources and enrichment.empirical.universe",
            )
        return Query(name, analysed, index[index >= 0].astype(np.int64), not_targeted, outside)

    def check_targets(self, targets: pd.DataFrame, path: object = None) -> None:
        """Check that a set's target table agrees with the edge table the null is built on.

        The empirical null compares the set with random sets drawn from the same edge table; a
        set whose targets came from another policy would be compared with the wrong null.
        """
        table = clean_edge_pairs(targets, path)
        merged = table.merge(self.edges, how="left", indicator=True)
        extra = merged[merged["_merge"] == "left_only"]
        if len(extra):
            first = extra.iloc[0]
            raise InputError(
                f"{len(extra)} edge(s) of the set's target table are not in the edge table "
                "the null is built on",
                path=path,
                value=f"{first['mirna']} -> {first['gene']}",
                hint="rebuild results/targets with the same target policy",
            )

    def mirnas_from_targets(self, path: str | os.PathLike[str]) -> list[str]:
        """The miRNAs of a set's target table, after checking it against the edge table.

        See :meth:`check_targets`; rows without a gene (miRNAs without targets) are ignored.
        """
        frame = read_table(path, SET_TARGETS.what, ("mirna", "gene"))
        self.check_targets(frame, path)
        return distinct_names(frame["mirna"])

    def union_of(self, query: Query) -> np.ndarray:
        """0/1 gene vector: the targets of the query's analysed miRNAs."""
        return self.unions.union(query.index)

    def observed(self, query: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Overlap, ``n_targets`` and the 0/1 target vector of a query, for every term."""
        union = self.union_of(query)
        overlap = (self.membership @ union).astype(np.int64)
        per_library = self.library_background.T @ union.astype(np.int64)
        n_targets = per_library[self.terms["library_index"].to_numpy()].astype(np.int64)
        return overlap, n_targets, union

    def overlap_genes(self, union: np.ndarray) -> list[str]:
        """``;``-joined sorted overlapping genes of every term with a target vector."""
        m = self.membership
        hit = union[m.indices] > 0  # row indices are sorted, and genes are in sorted order
        ends = np.concatenate([[0], np.cumsum(hit)])[m.indptr]
        names = self.genes[m.indices[hit]].tolist()
        return [";".join(names[a:b]) for a, b in itertools.pairwise(ends.tolist())]

    def strata(self, query: Query | np.ndarray, bins: int) -> Strata:
        """Target-count strata of the universe for a set (:func:`exomir._null.stratify`).

        Bin edges are the ``bins``-quantiles of the universe miRNAs' target counts (number of
        target genes over all edges); tied edges merge.  Random sets then draw, in each stratum,
        as many miRNAs as the set has there, matching the set's target-count profile: a set of
        heavily studied, target-rich miRNAs is compared with random target-rich miRNAs.  A
        stratum holding fewer than :data:`exomir._null.MIN_STRATUM_FACTOR` times the set's
        miRNAs in it is merged with a neighbour (``Strata.merged``), so ``k`` never changes.

        Parameters
        ----------
        query
            The set, or its rows in the universe.
        bins
            Number of quantile bins (>= 1).
        """
        index = query.index if isinstance(query, Query) else np.asarray(query, dtype=np.int64)
        return stratify(self.target_counts, index, bins, base=self.count_bins(bins))

    def null_strata(self, query: Query | np.ndarray, null: NullSettings) -> Strata:
        """The strata the set's random sets draw from: :meth:`strata`, tilted to the set's
        target counts (:func:`exomir._null.tilt_strata`) where they cannot match it and
        ``null.tilt`` is on.  Depends on the set's target counts only, never on its terms."""
        index = query.index if isinstance(query, Query) else np.asarray(query, dtype=np.int64)
        strata = self.strata(index, null.stratified)
        if null.tilt and self._matching(index, strata, "share").warning:
            strata = tilt_strata(strata, self.target_counts, index)
        return strata

    def count_bins(self, bins: int) -> np.ndarray:
        """Quantile-bin label of every universe miRNA's target count (cached per ``bins``)."""
        if bins not in self._bins:
            self._bins[bins] = count_bins(self.target_counts, bins)
        return self._bins[bins]

    def random_sets(
        self, query_or_k: Query | int, rng: np.random.Generator, stratified: int = 0
    ) -> RandomSets:
        """Random-set stream of the query's size (stratified on target counts when asked).

        Stratified draws need the set itself (its strata), not only its size.
        """
        k = query_or_k.k if isinstance(query_or_k, Query) else int(query_or_k)
        size = len(self.universe.mirnas)
        if k > size:
            raise ConfigError(
                f"the miRNA universe has {size} miRNAs, fewer than the {k} of a set",
                value=k,
                hint="use a larger universe (enrichment.empirical.universe: all) or a smaller set",
            )
        if stratified:
            if not isinstance(query_or_k, Query):
                raise ValueError("stratified random sets need the set's miRNAs, not only its size")
            return self.strata(query_or_k, stratified).random_sets(rng)
        return ShuffledSets(rng, size, k)

    # -- one set -------------------------------------------------------------------------

    def analyse(
        self,
        name: str,
        mirnas: Iterable[str],
        *,
        null: NullSettings | None = None,
        fdr: float = 0.05,
        jaccard: float = 0.5,
        cluster_method: str | None = None,
        threads: int = 1,
    ) -> EnrichmentResult:
        """ORA and the empirical null of one miRNA set against every library at once.

        Parameters
        ----------
        name
            Set name (first column of the table).
        mirnas
            The set's miRNAs (current names).
        null
            Empirical-null settings; None skips the null (``p_emp`` etc. stay empty).
        fdr, jaccard
            Significance threshold and Jaccard threshold of the redundancy grouping.
        cluster_method
            ``emp`` or ``ora``: which FDR calls terms significant for grouping (default ``emp``
            when the null runs).
        threads
            Threads for the null.

        Returns
        -------
        EnrichmentResult
            The table (:data:`exomir.tables.ENRICHMENT`), the background and universe lists and the
            parameters.
        """
        query = self.query(name, mirnas)
        choice = None
        # The strata the null draws from, found once (auto's choice reads them too).
        strata = self.null_strata(query, null) if null is not None and null.stratified else None
        if null is not None:
            self.use_score_threshold(null.score_threshold)
            self.count_families(null.families)
        if null is not None and null.statistic == "auto":
            null, choice = self.resolve_statistic(query.index, null, strata)
            log.info("set %s: statistic %s", name, choice)
        overlap, n_targets, union = self.observed(query)
        # The mirna_sum statistic's observed value (SCORE_SCALE units); the others test overlaps.
        score = self.observed_scores(query.index) if _is_sum(null) else None
        terms = self.terms
        size = terms["term_size"].to_numpy()
        bg = terms["background_size"].to_numpy()
        p_ora = hypergeometric_sf(overlap, size, n_targets, bg)
        expected = n_targets * size / np.maximum(bg, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            fold = np.where(expected > 0, overlap / expected, np.nan)

        n_terms = len(terms)
        p_emp = np.full(n_terms, np.nan)
        mean = np.full(n_terms, np.nan)
        sd = np.full(n_terms, np.nan)
        n_null = np.zeros(n_terms, dtype=np.int64)
        p_method = np.full(n_terms, "", dtype=object)
        extension: dict[str, Any] | None = None
        families = self.families()
        if null is not None:
            log.info(
                "set %s: %d miRNAs, %d targets in the background; %d terms, %d with overlap",
                name,
                query.k,
                int(union.sum()),
                n_terms,
                int((overlap > 0).sum()),
            )
            active = np.flatnonzero((overlap if score is None else score) > 0)
            rng = np.random.default_rng(null.seed)
            if strata is not None:
                self._log_strata(name, query, strata, null)
                sets = strata.random_sets(rng)
            else:
                sets = self.random_sets(query, rng)
                self._log_small_null(
                    name, log10_distinct_uniform(sets.universe_size, query.k), null.n_random
                )
            counts = self.first_null(
                active,
                overlap,
                n_targets,
                sets,
                null,
                threads=threads,
                what=f"set {name}: empirical null ({null.statistic} statistic)",
                score=score,
            )
            # A term the set does not touch is trivially matched by every random set.
            p_emp[:] = 1.0
            p_emp[active] = counts.pvalues(null.n_random, null.sequential_stop)
            # The null's mean and SD on the overlap's scale: with the share statistic, those of
            # the random sets' shares times the set's own targets, so that z_emp, the share's
            # z-score, is also (overlap - null_mean) / null_sd.
            mean[active], sd[active] = counts.statistic_mean_sd()
            if _is_share(null):
                mean[active] *= n_targets[active]
                sd[active] *= n_targets[active]
            if score is not None:  # in nats
                mean[active] /= SCORE_SCALE
                sd[active] /= SCORE_SCALE
            n_null[active] = counts.n_drawn
            p_method[:] = "exceedances"
            exceed = np.zeros(n_terms, dtype=np.int64)
            exceed[active] = counts.exceed
            extension = self.extend_null(
                name,
                query.k,
                strata,
                null,
                overlap,
                exceed,
                n_null,
                p_emp,
                p_method,
                families,
                fdr,
                threads,
                n_targets=n_targets,
                score=score,
            )
        mirna_score = np.full(n_terms, np.nan) if score is None else score / SCORE_SCALE
        with np.errstate(divide="ignore", invalid="ignore"):
            tested = overlap if score is None else mirna_score
            z_emp = np.where(sd > 0, (tested - mean) / sd, np.nan)

        # Sorted by p_emp, then the effect size (z_emp, largest first: tied p-values at the floor
        # or at 1 are ranked by how far the set is above its null), p_ora, then library and term
        # ID: the engine's term order is already (library, term_id), so its row number breaks
        # the remaining ties.
        order = np.lexsort((np.arange(n_terms), p_ora, -z_emp, p_emp))
        libraries, focus_family, every = families
        table = pd.DataFrame(
            {
                "set": name,
                "library": terms["library"].array,
                "term_id": terms["term_id"].array,
                "term": terms["term"].array,
                "focus": terms["focus"].array,
                "term_size": size.astype(np.int64),
                "overlap": overlap,
                "n_targets": n_targets,
                "background_size": bg.astype(np.int64),
                "expected": expected,
                "fold_enrichment": fold,
                "p_ora": p_ora,
                "fdr_ora": family_fdr(p_ora, libraries, n_terms),
                "p_emp": p_emp,
                "p_method": pd.array(p_method, dtype="str"),
                "fdr_emp": family_fdr(p_emp, libraries, n_terms),
                "fdr_focus": family_fdr(p_emp, focus_family, n_terms),
                "fdr_all": family_fdr(p_emp, every, n_terms),
                "z_emp": z_emp,
                "mirna_score": mirna_score,
                "null_mean": mean,
                "null_sd": sd,
                "n_null": n_null,
                "k_mirnas": query.k,
                "overlap_genes": pd.array(self.overlap_genes(union), dtype="str"),
            }
        )
        table = table.take(order).reset_index(drop=True)
        method = cluster_method or ("emp" if null is not None else "ora")
        table = cluster_terms(table, fdr=fdr, jaccard=jaccard, method=method)
        table = ENRICHMENT.ordered(table)
        params = self.describe(query, null, strata, fdr=fdr, jaccard=jaccard, cluster_method=method)
        if params["empirical"] is not None:
            if choice is not None:
                params["empirical"]["statistic_choice"] = choice
            params["empirical"]["extension"] = extension
            params["empirical"]["p_method"] = {
                m: int(n) for m, n in table["p_method"].value_counts(sort=False).items()
            }
        return EnrichmentResult(table, self.background, list(self.universe.mirnas), params)

    def resolve_statistic(
        self, index: np.ndarray, null: NullSettings, strata: Strata | None = None
    ) -> tuple[NullSettings, str]:
        """The statistic ``auto`` stands for, for the set of universe rows ``index``.

        ``mirna_sum`` where the target-count strata match the set (the matching check of
        :func:`exomir._analytic.matching_report` raises no warning), after tilting them to the
        set where they could not (:meth:`null_strata`; a set of a few of the most target-rich
        miRNAs); ``share`` where they still cannot (more than a fifth of the set in merged
        strata: large sets of well-studied miRNAs, whose summed scores outscore their strata
        while the share compares each set's own share of targets), and ``share`` for a null
        without strata.  The choice depends on the set's target counts only, never on its
        terms.  ``strata``: the set's :meth:`null_strata` where the caller has them already.
        Returns the settings with the chosen statistic and a sentence that says why; other
        statistics come back unchanged with ``""``.
        """
        if null.statistic != "auto":
            return null, ""
        if not null.stratified:
            return replace(null, statistic="share"), (
                "share (auto): the null is not stratified on target counts, which mirna_sum needs"
            )
        index = np.asarray(index, dtype=np.int64)
        if strata is None:
            strata = self.null_strata(index, null)
        report = self._matching(index, strata, "mirna_sum")
        if report.warning:
            if strata.tilt:
                return replace(null, statistic="share"), (
                    "share (auto): the target-count strata cannot match this set even tilted "
                    "to its target counts (more than a fifth of its miRNAs sit in merged "
                    "strata), and p-values of summed miRNA scores are too small there"
                )
            return replace(null, statistic="share"), (
                "share (auto): the target-count strata cannot match this set, and p-values of "
                "summed miRNA scores are too small there"
            )
        if strata.tilt:
            return replace(null, statistic="mirna_sum"), (
                "mirna_sum (auto): the target-count strata match this set once its random sets "
                "are tilted to its target counts"
            )
        return replace(null, statistic="mirna_sum"), (
            "mirna_sum (auto): the target-count strata match this set"
        )

    def matching(
        self, query: Query | np.ndarray, strata: Strata, statistic: str = "share"
    ) -> MatchingReport:
        """Can the stratified null match this set? (:func:`exomir._analytic.matching_report`;
        against the tilted draws for tilted strata.)"""
        index = query.index if isinstance(query, Query) else np.asarray(query, dtype=np.int64)
        return self._matching(index, strata, statistic)

    def _matching(self, index: np.ndarray, strata: Strata, statistic: str) -> MatchingReport:
        return matching_report(
            self.target_counts,
            index,
            strata.labels,
            self.count_bins(strata.bins),
            strata.need,
            statistic,
            tilted_total=strata.null_mean_total() if strata.tilt else None,
        )

    def families(self) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """Testing families as row indices of :attr:`terms`: one per library, the focus family
        (the terms flagged ``focus``, of every library; empty without focus pathways), all terms.
        """
        library = self.terms["library_index"].to_numpy()
        libraries = [np.flatnonzero(library == i) for i in range(len(self.libraries))]
        focus = np.flatnonzero(self.terms["focus"].to_numpy(dtype=object) != "")
        return libraries, [focus], [np.arange(len(self.terms))]

    def extend_null(
        self,
        name: str,
        k: int,
        strata: Strata | None,
        null: NullSettings,
        overlap: np.ndarray,
        exceed: np.ndarray,
        n_null: np.ndarray,
        p_emp: np.ndarray,
        p_method: np.ndarray,
        families: tuple[list[np.ndarray], ...],
        fdr: float,
        threads: int,
        *,
        seed: np.random.SeedSequence | None = None,
        progress: bool = True,
        n_targets: np.ndarray | None = None,
        score: np.ndarray | None = None,
    ) -> dict[str, Any]:
        """Draw on for the terms that could still pass; update ``p_emp``, ``n_null``, ``p_method``.

        ``exceed``, ``n_null``, ``p_emp`` and ``p_method`` are the per-term results of the first
        ``n_random`` draws of a set of ``k`` miRNAs (with its ``strata``, or None for the uniform
        null); they are updated in place.  ``families`` is :meth:`families`.  Returns what the
        ``.json`` records about the extension.  ``seed`` is the stream of the extra draws
        (default ``SeedSequence(null.seed, spawn_key=(EXTENSION_STREAM,))``).  ``n_targets`` (the
        set's targets in each term's library background) is needed for the share statistic,
        ``score`` (the set's summed miRNA scores, :meth:`observed_scores`) for ``mirna_sum``.

        After the first ``N`` random sets, a term is *undecided* when it has an overlap and fewer
        than ``h`` exceedances.  The undecided terms that could still pass BH at ``fdr`` in their
        library, the focus family or all terms (:func:`exomir._pvalues.open_terms`, with the
        lower confidence bound of their p-value) draw on from the seed's second stream
        (:data:`EXTENSION_STREAM`, a :class:`~exomir._null.ShuffledSets` stream with the same
        strata), over their own genes only, until ``h`` exceedances in all (Besag-Clifford:
        ``h / draws``), until their calls are decided (``(1 + e) / (1 + draws)``): they can no
        longer pass, or every family that could call them calls them even at the upper
        confidence bound of their p-value (:func:`exomir._pvalues.open_terms`), or until
        ``max_draws``.  There the count stands, or the floor ``1 / (draws + 1)`` when nothing
        exceeded; only with ``null.tail_fit`` does a term with fewer than
        :data:`exomir._pvalues.GPD_MAX_EXCEEDANCES` exceedances get a generalized Pareto tail
        fit to the largest null values of the second stream (shares for the share statistic,
        integer overlaps for the overlap statistic), where the fit is acceptable.  Every step
        depends on exact counts at batch boundaries of a fixed schedule, so the result does not
        depend on threads.
        """
        h = null.sequential_stop
        share = _is_share(null)
        if share and n_targets is None:
            raise ValueError("the share statistic's extension needs the set's n_targets")
        summed = _is_sum(null)
        if summed and score is None:
            raise ValueError("the mirna_sum statistic's extension needs the set's scores")
        n_first = n_null.copy()
        tested = (score if summed else overlap) > 0
        undecided = tested & ((exceed < h) if h > 0 else True)
        floor = tested & (exceed == 0)
        limit = null.draw_limit
        extra = limit - null.n_random
        lower = exceedance_lower_bound(exceed, n_null)
        upper = exceedance_upper_bound(exceed, n_null)
        groups = (*families,)
        candidates = (
            np.flatnonzero(open_terms(p_emp, lower, undecided, groups, fdr, upper))
            if extra > 0
            else np.zeros(0, dtype=np.int64)
        )
        info: dict[str, Any] = {
            "max_draws": limit,
            "stream": f"shuffled draws from SeedSequence(seed, spawn_key=({EXTENSION_STREAM},))"
            if seed is None
            else "shuffled draws from a stream of the query's own seed",
            "undecided_after_n_random": int(undecided.sum()),
            "extended_terms": int(candidates.size),
        }
        if candidates.size and progress:
            log.info(
                "set %s: %d of %d undecided terms could still pass at FDR < %g; drawing on up "
                "to %d random sets",
                name,
                candidates.size,
                int(undecided.sum()),
                fdr,
                limit,
            )
        if candidates.size:
            if seed is None:
                seed = np.random.SeedSequence(null.seed, spawn_key=(EXTENSION_STREAM,))
            rng = np.random.default_rng(seed)
            if strata is not None:
                sets: RandomSets = strata.random_sets(rng, shuffled=True)
            else:
                sets = ShuffledSets(rng, len(self.universe.mirnas), k)
            base_e = exceed[candidates]
            # open_terms with the other terms' p-values fixed: their order is sorted once.
            could_pass = OpenTerms(p_emp, candidates, groups, fdr)

            def keep(e: np.ndarray, n: np.ndarray, going: np.ndarray) -> np.ndarray:
                e_all, n_all = e, n_first[candidates] + n
                with np.errstate(divide="ignore", invalid="ignore"):
                    p = np.where((h > 0) & (e_all >= h), h / n_all, (1.0 + e_all) / (1.0 + n_all))
                best = np.where(going, exceedance_lower_bound(e_all, n_all), p)
                worst = np.where(going, exceedance_upper_bound(e_all, n_all), p)
                return could_pass(best, going, worst)

            what = f"set {name}: null beyond {null.n_random} random sets"
            if summed:
                counts = score_null(
                    self.score_sums(candidates, k),
                    np.asarray(score)[candidates],
                    sets,
                    extra,
                    stop_after=h,
                    what=what,
                    progress=progress,
                    keep=keep,
                    exceed_start=base_e,
                )
            else:
                sub = self.membership[candidates]
                used = np.unique(sub.indices)
                counts = sequential_null(
                    sp.csr_array(sub[:, used]),
                    overlap[candidates],
                    sets,
                    self.unions.restrict(used),
                    extra,
                    stop_after=h,
                    threads=threads,
                    what=what,
                    keep=keep,
                    tail=GPD_TAIL_SIZE + 1 if null.tail_fit else None,
                    exceed_start=base_e,
                    progress=progress,
                    share=self.share_test(candidates, n_targets) if share else None,
                )
            e_all = counts.exceed
            n_all = n_first[candidates] + counts.n_drawn
            n_null[candidates] = n_all
            exceed[candidates] = e_all
            with np.errstate(divide="ignore", invalid="ignore"):
                p = np.where(counts.stopped, h / n_all, (1.0 + e_all) / (1.0 + n_all))
            method = np.full(candidates.size, "extended", dtype=object)
            at_limit = ~counts.stopped & ~counts.closed
            observed = (
                overlap_share(overlap, n_targets)[candidates] if share else overlap[candidates]
            )
            fit_tail = at_limit & (e_all < GPD_MAX_EXCEEDANCES) & bool(null.tail_fit) & (not summed)
            for i in np.flatnonzero(fit_tail):
                fit = fit_gpd_tail(
                    counts.histogram.top(i, GPD_TAIL_SIZE + 1),
                    int(counts.n_drawn[i]),
                    discrete=not share,
                )
                tail = np.nan if fit is None else fit.pvalue(float(observed[i]))
                if tail > 0:
                    p[i], method[i] = tail, "gpd_tail"
            floor[candidates] = (e_all == 0) & (method != "gpd_tail")
            p_emp[candidates] = p
            p_method[candidates] = method
            info["draws_beyond_n_random"] = int(counts.n_drawn.sum())
            info["reached_max_draws"] = int(at_limit.sum())
        # Nothing exceeded and no tail fit: the floor 1 / (draws + 1), an upper bound.
        p_emp[floor] = floor_pvalue(n_null[floor])
        p_method[floor] = "floor"
        return info

    def _log_strata(self, name: str, query: Query, strata: Strata, null: NullSettings) -> None:
        """Log how the set's strata look, whether any had to be merged, and whether the null
        still matches the set (a WARNING on screen when it does not)."""
        report = self.matching(query, strata, null.statistic)
        if report.warning:
            log.warning("set %s: %s", name, report.warning)
        total = int(self.target_counts[query.index].sum())
        log.info(
            "set %s: null stratified on target counts (%d bins): the set's %d miRNAs lie in %d "
            "strata; their targets sum to %d, a random set's to %.0f on average",
            name,
            strata.bins,
            query.k,
            len(strata.need),
            total,
            strata.null_mean_total(),
        )
        if strata.tilt:
            log.info(
                "set %s: random sets tilted to the set's target counts in %d wide stratum(s) "
                "(weights (targets + 1)^theta, theta %s); their targets sum to %.0f on average, "
                "%.0f without the tilt",
                name,
                len(strata.tilt),
                ", ".join(f"{t:.2f}" for t in strata.tilt.values()),
                strata.null_mean_total(),
                strata.null_mean_total(tilted=False),
            )
        if strata.merged and strata.n_strata == 1:
            log.warning(
                "set %s: the universe (%d miRNAs) holds fewer than %d times the set's %d miRNAs, "
                "so the null cannot be stratified: it draws uniformly from the universe",
                name,
                strata.labels.size,
                MIN_STRATUM_FACTOR,
                query.k,
            )
        elif strata.merged:
            log.warning(
                "set %s: %d target-count bin(s) held fewer than %d times the set's miRNAs in "
                "them and were merged with a neighbour (%d strata left); the set keeps its %d "
                "miRNAs",
                name,
                strata.merged,
                MIN_STRATUM_FACTOR,
                strata.n_strata,
                query.k,
            )
        self._log_small_null(name, strata.log10_distinct_sets(), null.n_random)

    @staticmethod
    def _log_small_null(name: str, log10_sets: float, n_random: int) -> None:
        """Warn when fewer distinct random sets exist than are drawn: p-values have a floor."""
        if log10_sets < np.log10(max(n_random, 1)):
            distinct = round(10**log10_sets)
            log.warning(
                "set %s: only %d distinct random sets exist for its size and strata, so its "
                "empirical p-values cannot go much below 1/%d",
                name,
                distinct,
                distinct,
            )

    def describe(
        self,
        query: Query | None,
        null: NullSettings | None,
        strata: Strata | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Parameters of a run, for the ``.json`` beside each table.

        With ``strata`` (a stratified null of ``query``), ``empirical`` also lists the strata
        the set draws from and compares the set's sum of target counts with a random set's.
        """
        out: dict[str, Any] = {
            "exomir_version": __version__,
            "background": {
                "kind": self.background_kind,
                "size": len(self.genes),
                "per_library": {
                    lib: int(n)
                    for lib, n in zip(self.libraries, self.background_sizes, strict=True)
                },
                "note": "each library's background is this list intersected with its genes",
            },
            "universe": {
                "kind": self.universe.kind,
                "size": len(self.universe.mirnas),
                "file": self.universe.source,
                "dropped_without_targets": list(self.universe.dropped),
            },
            "terms": {
                "min_size": self.min_size,
                "max_size": self.max_size,
                "tested": len(self.terms),
                "out_of_size_range": self.n_terms_out_of_range,
                "libraries": list(self.libraries),
            },
            "empirical": None
            if null is None
            else {
                "n_random": null.n_random,
                "seed": null.seed,
                "generator": "numpy PCG64",
                "null": null.label,
                "stratified_bins": null.stratified,
                "sequential_stop": null.sequential_stop,
                "statistic": null.statistic,
                "score_threshold": float(null.score_threshold),
                "families": float(null.families),
                "tilt": bool(null.tilt),
                "max_draws": null.draw_limit,
                "tail_fit": bool(null.tail_fit),
                "p_value": "(1 + #{random >= observed}) / (1 + draws); h / draws when stopped; "
                "terms whose calls more draws could still change draw on (each stops once "
                "its calls are settled) up to max_draws, then "
                + (
                    "a generalized Pareto tail fit or the floor 1 / (1 + draws)"
                    if null.tail_fit
                    else "the count or the floor 1 / (1 + draws)"
                )
                + " (column p_method)",
            },
        }
        if null is not None and query is not None:
            emp = out["empirical"]
            if _is_sum(null) and self._collapse is not None:
                # Only the summed scores count families; a set tested with share lists none.
                emp["families_in_set"] = self.set_families(query.index)
            if strata is not None:
                emp["strata"] = strata.describe()
                emp["strata_merged"] = strata.merged
                emp["target_count_sum"] = {
                    "set": int(self.target_counts[query.index].sum()),
                    "null_mean": round(strata.null_mean_total(), 1),
                }
                emp["log10_distinct_random_sets"] = round(strata.log10_distinct_sets(), 3)
                emp["matching"] = self.matching(query, strata, null.statistic).as_dict()
            else:
                emp["target_count_sum"] = {
                    "set": int(self.target_counts[query.index].sum()),
                    "null_mean": round(query.k * float(self.target_counts.mean()), 1),
                }
                emp["log10_distinct_random_sets"] = round(
                    log10_distinct_uniform(len(self.universe.mirnas), query.k), 3
                )
        if query is not None:
            out["set"] = query.name
            out["k"] = query.k
            out["mirnas"] = list(query.mirnas)
            out["mirnas_without_targets"] = list(query.not_targeted)
            out["mirnas_outside_universe"] = list(query.outside_universe)
        out.update(extra)
        return out


# --------------------------------------------------------------------------------------------
# Redundancy


def cluster_terms(
    table: pd.DataFrame, *, fdr: float = 0.05, jaccard: float = 0.5, method: str = "emp"
) -> pd.DataFrame:
    """Group near-identical significant terms; add ``cluster`` and ``cluster_lead``.

    Significant terms (``fdr_<method> < fdr``) are visited in order of p-value (ties: the other
    method's p-value, library, term ID).  The first unassigned term becomes the lead of a new
    cluster, which takes every unassigned significant term whose overlapping genes have a
    Jaccard index of at least ``jaccard`` with the lead's.  The greedy order makes the result
    deterministic and keeps the most significant term of each group as its representative.
    Terms that are not significant get no cluster; every term stays in the table.
    """
    if method not in ("emp", "ora"):
        raise ConfigError("unknown redundancy method", value=method, hint="use emp or ora")
    other = "ora" if method == "emp" else "emp"
    cluster = np.full(len(table), -1, dtype=np.int64)
    lead = np.zeros(len(table), dtype=bool)
    q = table[f"fdr_{method}"].to_numpy(dtype=float, na_value=np.nan)
    sig = np.flatnonzero(q < fdr)
    if sig.size:

        def column(name: str, dtype: type) -> np.ndarray:
            values = table[name].iloc[sig]
            return values.to_numpy(dtype=dtype, na_value=None if dtype is object else np.nan)

        library = pd.factorize(column("library", object), sort=True)[0]
        term_id = pd.factorize(column("term_id", object), sort=True)[0]
        order = np.lexsort(
            (term_id, library, column(f"p_{other}", float), column(f"p_{method}", float))
        )
        pos = sig[order]
        genes = column("overlap_genes", object)[order]
        lists = [s.split(";") if isinstance(s, str) and s else [] for s in genes]
        rows = np.repeat(np.arange(len(lists)), [len(g) for g in lists])
        cols, vocab = pd.factorize(np.array([g for genes in lists for g in genes], dtype=object))
        x = sp.csr_array(
            (np.ones(rows.size, dtype=np.int32), (rows, cols)), shape=(len(lists), len(vocab))
        )
        inter = (x @ x.T).tocsr()  # shared genes of every pair of significant terms
        inter.sort_indices()
        sizes = np.array([len(g) for g in lists])
        assigned = np.full(len(lists), -1, dtype=np.int64)
        next_id = 0
        for i in range(len(lists)):  # visits leads only: every other term is assigned already
            if assigned[i] >= 0:
                continue
            next_id += 1
            other_terms = inter.indices[inter.indptr[i] : inter.indptr[i + 1]]
            shared = inter.data[inter.indptr[i] : inter.indptr[i + 1]]
            jac = shared / np.maximum(sizes[i] + sizes[other_terms] - shared, 1)
            members = other_terms[(assigned[other_terms] < 0) & (jac >= jaccard)]
            assigned[members] = next_id
            assigned[i] = next_id
            lead[pos[i]] = True
        cluster[pos] = assigned
    return table.assign(
        cluster=pd.Series(cluster, index=table.index, dtype="Int64").mask(cluster <= 0),
        cluster_lead=lead,
    )


# --------------------------------------------------------------------------------------------
# Results


def _is_share(null: NullSettings | None) -> bool:
    return null is not None and null.statistic == "share"


def _is_sum(null: NullSettings | None) -> bool:
    return null is not None and null.statistic == "mirna_sum"


def overlap_share(overlap: np.ndarray, n_targets: np.ndarray) -> np.ndarray:
    """The share statistic: overlap / the set's targets in the term's library background (0 for
    a set with no target there)."""
    return np.asarray(overlap, dtype=float) / np.maximum(np.asarray(n_targets, dtype=float), 1.0)


def tsv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with booleans spelled ``true``/``false`` (the data-model convention)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = np.where(out[col].to_numpy(), "true", "false")
    return out


@dataclass
class EnrichmentResult:
    """Enrichment of one set.

    Attributes
    ----------
    table
        One row per tested term (:data:`exomir.tables.ENRICHMENT`).
    background
        Union of the per-library backgrounds.
    universe
        The miRNA universe.
    params
        Parameters and counts of the run.
    """

    table: pd.DataFrame
    background: list[str]
    universe: list[str]
    params: dict[str, Any]

    def write(
        self,
        table: str | os.PathLike[str],
        background: str | os.PathLike[str] | None = None,
        universe: str | os.PathLike[str] | None = None,
        params: str | os.PathLike[str] | None = None,
    ) -> None:
        """Write the table (TSV) and, when given paths, the lists and the parameters."""
        write_tsv(tsv_ready(self.table), table)
        if background is not None:
            write_text("".join(f"{g}\n" for g in self.background), background)
        if universe is not None:
            write_text("".join(f"{m}\n" for m in self.universe), universe)
        if params is not None:
            write_json(self.params, params)
