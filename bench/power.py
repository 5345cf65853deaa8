"""Calibration at real profile sizes and power on planted themes: the default null against the others.

Reads the workflow's own outputs (as bench/strata.py does), built with

    EXOMIR_REFERENCE_DIR=/work/shared/data snakemake --cores 2 \\
        --configfile config/examples/local-references.yaml
    python bench/power.py --quick               # a few minutes on 2 cores
    python bench/power.py                       # the figures of bench/README.md

Methods, each with Benjamini-Hochberg over all terms, within each library and over the focus
family (the terms matched by resources/curated/focus_pathways.yaml):

* ``new``: the default null exactly as the workflow runs it --
  ``EnrichmentEngine.analyse(name, mirnas, null=settings.null, fdr=settings.fdr)`` with the
  settings the workflow builds from the schema defaults (stratified on 30 target-count bins,
  statistic ``mirna_sum``, N = 10,000, h = 100, extension up to ``max_draws``); its own
  ``p_emp``, ``p_method``, ``fdr_all``, ``fdr_emp`` (within library) and ``fdr_focus``.  Only the
  seed changes from set to set, so that the sets' nulls are independent draws;
* ``share``: the same call with statistic ``share`` (the default before ``mirna_sum``);
* ``old``: the default before the share statistic and the extension -- the same call with
  statistic ``overlap`` and ``max_draws = n_random`` (N = 10,000, h = 100, no draws beyond N);
  the old default's calls are its BH over all terms;
* ``uniform``: the same call with uniform draws (``stratified = 0``), statistic ``overlap``,
  ``max_draws = n_random``;
* ``ora``: the hypergeometric test of the set's targets (``p_ora`` of the same call);
* ``conditional`` and ``wallenius``: the analytic tests of :mod:`exomir._analytic` (per-gene
  probability of being targeted by a random set of the same strata; no draws, cheap).

Parts (``--parts``):

* ``calibration``: random sets with no theme at k = 3, 10, 50, 150, 300, drawn uniformly and
  with probability proportional to target count (target-rich, like sequenced profiles).  Per
  method, kind and k: sets with any term at FDR < 0.05 per family (95 % Clopper-Pearson CI),
  the mean share of sets with a call in one library, the per-test rate at p < 0.05, the sets
  the engine's matching check flags, and the wall time of each engine call.
  ``--extra-sets kind:k:n`` adds sets to a cell (more for the cells with wide intervals).
* ``power``: sets of 6 miRNAs with a planted theme.  For a term, every universe miRNA's
  targets are tested against it (hypergeometric); the planted miRNAs are drawn among the top
  ``q`` of *their own* target-count stratum (with p below ``p_max`` and >= 2 targets in the
  term), so the strata cannot explain the signal; the rest are uniform random miRNAs.  1, 2 or
  3 planted of 6 (``--planted``); focus-pathway terms and terms of every library in three size
  classes; one or more plant levels (``--plants``, e.g. ``0.05:0.01,0.01:0.001``).
  Detection = the planted term at FDR < 0.05, per family; and the distribution of its p-value
  (share below 1e-3 and 1e-4, median, ``p_method``).
* ``chance``: how often random themeless sets of 6 (uniform) contain the planted pattern by
  chance -- a term for which >= 1, 2, 3 of the 6 miRNAs would have been plant candidates --
  and how many terms per set: what a calibrated test over thousands of terms is up against.
* ``tail``: the sets of earlier calibration runs (``--tail-from``, their ``--out`` prefixes) in
  which the new default called a term over all terms, rerun with ``max_draws`` =
  ``--tail-draws``: do the calls, made on tail-fitted p-values, survive more draws?
* ``recheck``: the sets of earlier calibration runs (``--tail-from``) with a call over all terms
  or in the focus family, rerun with the current default (e.g. after a change of the default):
  which calls stay.
* ``sets``: the configured sets (results/targets) with the old and the new default.

``--seed`` picks the random sets, the terms and the plants; the README's figures use seeds
never used while developing.
"""

from __future__ import annotations

import argparse
import glob
import logging
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from _data import load_average
from scipy import stats

from exomir._analytic import TermCounts, analytic_pvalues, targeting_probability
from exomir._pvalues import family_fdr
from exomir._scores import target_families
from exomir._settings import DEFAULT_STRATA
from exomir._stats import hypergeometric_sf
from exomir.config import with_defaults
from exomir.enrichment import (
    EnrichmentEngine,
    EnrichmentSettings,
    read_edges,
    read_gene_sets,
)
from exomir.focus import load_focus_pathways

REPO = Path(__file__).resolve().parent.parent
FAMILIES = ("all", "library", "focus")
#: Engine columns of the FDR per family.
FDR_COLUMNS = {"all": "fdr_all", "library": "fdr_emp", "focus": "fdr_focus"}
ANALYTIC = ("conditional", "wallenius")
ENGINE_METHODS = ("new", "share", "old", "uniform")
METHODS = ("ora", *ANALYTIC, *ENGINE_METHODS, "oracle")
LABELS = {
    "new": "**new default** (mirna_sum, extension)",
    "share": "share (extension; the default before mirna_sum)",
    "old": "old default (overlap, N only)",
    "uniform": "uniform null (overlap, N only)",
    "ora": "ORA",
    "conditional": "conditional (analytic)",
    "wallenius": "Wallenius (analytic)",
    "oracle": "oracle (knows the plant; a ceiling, not a method)",
}


def default_settings() -> EnrichmentSettings:
    """The enrichment settings the workflow builds from an empty config (the schema defaults)."""
    return EnrichmentSettings.from_config(with_defaults({}, "enrichment"))


def null_settings(settings: EnrichmentSettings, seed: int) -> dict:
    """The engine's nulls by method, each with its own seed."""
    new = replace(settings.null, seed=seed)
    old = replace(new, statistic="overlap", max_draws=new.n_random)
    return {
        "new": new,
        "share": replace(new, statistic="share"),
        "old": old,
        "uniform": replace(old, stratified=0),
    }


def load(results: Path, resources: Path, settings: EnrichmentSettings) -> EnrichmentEngine:
    edges = read_edges(results / "targets" / "all_edges.parquet")
    paths = sorted(glob.glob(str(resources / "references" / "gene_sets" / "*" / "*" / "*.parquet")))
    focus = load_focus_pathways(REPO / "resources" / "curated" / "focus_pathways.yaml")
    engine = EnrichmentEngine.from_settings(edges, read_gene_sets(paths), settings, focus=focus)
    print(
        f"universe {len(engine.universe.mirnas)} miRNAs, {len(engine.terms)} terms "
        f"({int((engine.terms['focus'] != '').sum())} focus), {len(engine.genes)} genes"
    )
    return engine


def families_of(p: np.ndarray, engine: EnrichmentEngine) -> dict[str, np.ndarray]:
    """BH over all terms, within each library, and over the focus terms (NaN elsewhere)."""
    libraries, focus, every = engine.families()
    n = len(engine.terms)
    return {
        "all": family_fdr(p, every, n),
        "library": family_fdr(p, libraries, n),
        "focus": family_fdr(p, focus, n),
    }


def analytic(engine: EnrichmentEngine, overlap, n_targets, strata) -> dict[str, np.ndarray]:
    pi = targeting_probability(engine.targets, strata.labels, strata.need)
    counts = TermCounts(
        overlap=overlap,
        term_size=engine.terms["term_size"].to_numpy(),
        background_size=engine.terms["background_size"].to_numpy(),
        n_targets=n_targets,
        library_of_term=engine.terms["library_index"].to_numpy(),
        membership=engine.membership,
        library_background=engine.library_background,
    )
    return {m: analytic_pvalues(m, counts, pi)[0] for m in ANALYTIC}


def evaluate(
    engine, mirnas, settings, seed, threads, methods, plant_candidates=None
) -> tuple[dict[str, dict], bool]:
    """Every method on one set, in the engine's term order, and the matching check's verdict.

    Per method: ``p`` (per term), ``fdr`` (family -> per term), and for the engine's nulls
    ``p_method`` and ``seconds`` (wall time of the call).  The second value is True when the
    engine's matching check (the ``.json``'s ``calibration_warning``) flags the set.
    """
    order = pd.MultiIndex.from_frame(engine.terms[["library", "term_id"]])
    out: dict[str, dict] = {}
    nulls = null_settings(settings, seed)
    for method in (m for m in ENGINE_METHODS if m in methods):
        start = time.perf_counter()
        res = engine.analyse(
            "q",
            mirnas,
            null=nulls[method],
            fdr=settings.fdr,
            jaccard=settings.jaccard,
            threads=threads,
        )
        seconds = time.perf_counter() - start
        table = res.table.set_index(["library", "term_id"]).reindex(order)
        out[method] = {
            "p": table["p_emp"].to_numpy(dtype=float),
            "fdr": {fam: table[col].to_numpy(dtype=float) for fam, col in FDR_COLUMNS.items()},
            "p_method": table["p_method"].to_numpy(dtype=object),
            "seconds": seconds,
        }
    query = engine.query("q", mirnas)
    overlap, n_targets, _ = engine.observed(query)
    strata = engine.strata(query, DEFAULT_STRATA)
    if "ora" in methods:
        terms = engine.terms
        p = hypergeometric_sf(
            overlap, terms["term_size"].to_numpy(), n_targets, terms["background_size"].to_numpy()
        )
        out["ora"] = {"p": p, "fdr": families_of(p, engine)}
    if any(m in methods for m in ANALYTIC):
        for m, p in analytic(engine, overlap, n_targets, strata).items():
            out[m] = {"p": p, "fdr": families_of(p, engine)}
    if "oracle" in methods and plant_candidates is not None:
        p = oracle_pvalues(query.index, strata, plant_candidates)
        out["oracle"] = {"p": p, "fdr": families_of(p, engine)}
    # The check on the plain strata: a set it flags is tilted (or tested with share).
    warned = engine.matching(query, strata).warning is not None
    return {m: out[m] for m in METHODS if m in out}, warned


def oracle_pvalues(index: np.ndarray, strata, cand: np.ndarray) -> np.ndarray:
    """Exact p-value, per term, of the number of the set's miRNAs that are plant candidates.

    Under the stratified null a random set draws ``need[s]`` of the ``size[s]`` miRNAs of each
    stratum ``s`` uniformly, so the candidates it holds are a sum of independent hypergeometric
    counts, one per stratum; their law is the convolution of those.  A planted set is 3 (or 1,
    2) candidates plus random miRNAs, so the likelihood ratio of "planted for this term" against
    the null depends on the set only through which of its miRNAs are candidates: this count is
    (up to how it weighs strata) the most powerful test of the plant there is.  It needs to know
    how the sets were planted, which no real method does: it is a ceiling for power, not a
    method.  Its p-values are exact (no draws, no floor).
    """
    k = strata.k
    n_terms = cand.shape[1]
    law = np.zeros((n_terms, k + 1))
    law[:, 0] = 1.0
    for s, n_s in strata.need.items():
        rows = strata.labels == s
        c_s = cand[rows].sum(axis=0)  # candidates of the stratum, per term
        x = np.arange(n_s + 1)
        pmf = stats.hypergeom.pmf(x[None, :], int(rows.sum()), c_s[:, None], n_s)
        new = np.zeros_like(law)
        for j in range(n_s + 1):
            new[:, j:] += law[:, : k + 1 - j] * pmf[:, j : j + 1]
        law = new
    observed = cand[np.asarray(index, dtype=np.int64)].sum(axis=0)
    upper = np.cumsum(law[:, ::-1], axis=1)[:, ::-1]  # P(X >= x) for x = 0 .. k
    return np.minimum(upper[np.arange(n_terms), observed], 1.0)


def clopper_pearson(x: int, n: int) -> str:
    lo = stats.beta.ppf(0.025, x, n - x + 1) if x else 0.0
    hi = stats.beta.ppf(0.975, x + 1, n - x) if x < n else 1.0
    return f"{x}/{n} = {x / n:.0%} [{lo:.0%}-{hi:.0%}]"


def random_indices(engine, rng, k, kind) -> np.ndarray:
    """Universe indices of a random set: uniform, or with probability proportional to target
    count (``target_rich``)."""
    counts = engine.target_counts.astype(float)
    prob = counts / counts.sum() if kind == "target_rich" else None
    return rng.choice(len(engine.universe.mirnas), size=k, replace=False, p=prob)


def random_mirnas(engine, rng, k, kind) -> list[str]:
    return [engine.universe.mirnas[j] for j in random_indices(engine, rng, k, kind)]


def part_calibration(engine, settings, cells, seed, threads, methods, out, skip=0) -> pd.DataFrame:
    """Per set and method: any call per family and per library, the p < 0.05 rate, the time.

    ``cells`` are ``(kind, k, n_sets)``; the sets of a cell come from a stream of
    ``(seed, k, kind)``, so a cell with more sets starts with the sets of the smaller one
    (``skip``: leave out the first sets of each cell, run before).  For the engine's nulls,
    ``calls_<family>`` lists the ``p_method`` of the terms called.
    """
    lib = engine.terms["library_index"].to_numpy()
    records = []
    for kind, k, n_sets in cells:
        if n_sets <= skip:
            continue
        rng = np.random.default_rng([seed, k, kind == "target_rich"])
        start = time.perf_counter()
        first = len(records)
        for i in range(n_sets):
            mirnas = random_mirnas(engine, rng, k, kind)
            if i < skip:
                continue
            set_seed = seed * 100_003 + k * 1009 + i
            result, warned = evaluate(engine, mirnas, settings, set_seed, threads, methods)
            for method, r in result.items():
                p, fdr = r["p"], r["fdr"]
                records.append(
                    {
                        "sets": kind,
                        "k": k,
                        "set": i,
                        "method": method,
                        "warned": warned,
                        "seconds": r.get("seconds", np.nan),
                        "p05": float((p < 0.05).mean()),
                        **{f"any_{fam}": bool(np.nanmin(q) < 0.05) for fam, q in fdr.items()},
                        "libraries_with_call": int(np.unique(lib[fdr["library"] < 0.05]).size),
                        "min_p": float(np.nanmin(p)),
                        "extended": int(np.isin(r["p_method"], ("extended", "gpd_tail")).sum())
                        if "p_method" in r
                        else 0,
                        **{
                            f"calls_{fam}": " ".join(sorted(r["p_method"][fdr[fam] < 0.05]))
                            for fam in ("all", "focus")
                            if "p_method" in r
                        },
                    }
                )
        frame = pd.DataFrame(records[first:])
        print(
            f"-- {kind} k={k}: {n_sets} sets, {time.perf_counter() - start:.0f} s; "
            f"{load_average()}",
            flush=True,
        )
        print(summarise(frame, len(engine.libraries)), flush=True)
        if out:
            pd.DataFrame(records).to_csv(f"{out}calibration.tsv", sep="\t", index=False)
    return pd.DataFrame(records)


def summarise(records: pd.DataFrame, n_libraries: int) -> str:
    """Calibration table: per kind, k and method.

    ``any_<family>``: sets with a term at FDR < 0.05 (95 % CI).  With BH within each library
    that is a union of ``n_libraries`` families, so ``per_library`` also gives the mean share of
    sets with a call in one library (the rate each family's BH controls).
    """
    rows = []
    records = records.assign(order=records["method"].map(METHODS.index)).sort_values(
        ["order"], kind="stable"
    )
    groups = records.groupby(["sets", "k", "order", "method"], sort=False)
    for (kind, k, _, method), g in sorted(groups, key=lambda item: item[0][:3]):
        n = len(g)
        row = {"sets": kind, "k": k, "method": method}
        row.update(
            {f"any_{fam}": clopper_pearson(int(g[f"any_{fam}"].sum()), n) for fam in FAMILIES}
        )
        row["per_library"] = f"{g['libraries_with_call'].sum() / (n * n_libraries):.1%}"
        row["tests_p05"] = f"{g['p05'].mean():.3f}"
        row["range"] = f"{g['p05'].min():.3f}-{g['p05'].max():.3f}"
        row["warned"] = f"{int(g['warned'].sum())}/{n}"
        if g["seconds"].notna().any():
            row["s/set"] = f"{g['seconds'].mean():.1f} (max {g['seconds'].max():.1f})"
            row["extended"] = f"{g['extended'].mean():.1f}"
        rows.append(row)
    return pd.DataFrame(rows).fillna("").to_string(index=False)


def pick_terms(engine, rng, per_class, n_focus, eligible) -> list[int]:
    """``n_focus`` focus terms plus ``per_class`` random terms per library and size class, among
    the ``eligible`` ones (bool per term)."""
    terms = engine.terms
    focus = np.flatnonzero((terms["focus"].to_numpy() != "") & eligible)
    chosen = list(rng.choice(focus, size=min(n_focus, focus.size), replace=False))
    size = terms["term_size"].to_numpy()
    for lib in np.unique(terms["library_index"]):
        for lo, hi in ((10, 30), (30, 100), (100, 500)):
            rows = (terms["library_index"] == lib) & (size >= lo) & (size <= hi) & eligible
            pool = np.setdiff1d(np.flatnonzero(rows), chosen)
            if pool.size:
                chosen.extend(rng.choice(pool, size=min(per_class, pool.size), replace=False))
    return sorted(int(t) for t in chosen)


def term_pvalues(engine, terms: np.ndarray) -> np.ndarray:
    """Hypergeometric p of every universe miRNA's targets in each term (miRNAs x terms)."""
    info = engine.terms
    lib = info["library_index"].to_numpy()[terms]
    t = engine.targets.astype(np.int64)
    ov = (t @ engine.membership[terms].T.astype(np.int64)).toarray()
    n = (t @ engine.library_background.astype(np.int64)).toarray()[:, lib]
    size = np.broadcast_to(info["term_size"].to_numpy()[terms], ov.shape)
    bg = np.broadcast_to(info["background_size"].to_numpy()[terms], ov.shape)
    p = hypergeometric_sf(ov.ravel(), size.ravel(), n.ravel(), bg.ravel()).reshape(ov.shape)
    return np.where(ov >= 2, p, 1.0)


def candidates(p: np.ndarray, bins: np.ndarray, quantile: float, p_max: float) -> np.ndarray:
    """Plant candidates (miRNAs x terms, bool): in the top ``quantile`` of their own target-count
    stratum for the term, with p < ``p_max`` and >= 2 targets in it (``p`` is 1 below 2)."""
    keep = np.zeros(p.shape, dtype=bool)
    for s in np.unique(bins):
        rows = bins == s
        cut = np.quantile(p[rows], quantile, axis=0)
        keep[rows] = (p[rows] <= cut) & (p[rows] < p_max)
    return keep


def parse_plants(text: str) -> list[tuple[float, float]]:
    return [(float(q), float(pm)) for q, pm in (item.split(":") for item in text.split(","))]


def plant_label(plant: tuple[float, float]) -> str:
    return f"top {plant[0]:.0%}, p < {plant[1]:g}"


def all_candidates(engine, plants) -> dict[tuple[float, float], np.ndarray]:
    """Plant candidates (miRNAs x all terms) per plant level."""
    bins = engine.count_bins(DEFAULT_STRATA)
    all_terms = np.arange(len(engine.terms))
    start = time.perf_counter()
    cand: dict[tuple[float, float], list[np.ndarray]] = {plant: [] for plant in plants}
    for a in range(0, all_terms.size, 1000):
        p = term_pvalues(engine, all_terms[a : a + 1000])
        for plant in plants:
            cand[plant].append(candidates(p, bins, *plant))
    print(f"plant candidates of {all_terms.size} terms in {time.perf_counter() - start:.0f} s")
    return {plant: np.concatenate(c, axis=1) for plant, c in cand.items()}


def part_power(
    engine, settings, plants, planted_counts, n_terms, n_focus, reps, seed, threads, methods, out
):
    """Planted sets; the terms of a plant level are those with >= 3 candidates at that level.

    The terms and sets of a cell (plant level, planted) come from streams of the seed, the
    level and the cell: the same whichever cells and methods a run has.
    """
    cand_all = all_candidates(engine, plants)
    universe = len(engine.universe.mirnas)
    info = engine.terms
    rows = []
    start = time.perf_counter()
    term_lists = []
    for level, plant in enumerate(plants):
        eligible = cand_all[plant].sum(axis=0) >= 3
        term_lists.append(
            pick_terms(engine, np.random.default_rng([seed, 7, level]), n_terms, n_focus, eligible)
        )
        print(
            f"power, {plant_label(plant)}: {eligible.sum()} terms with >= 3 candidates "
            f"({int((eligible & (info['focus'] != '').to_numpy()).sum())} focus); "
            f"{len(term_lists[-1])} picked; {load_average()}",
            flush=True,
        )
    for planted in planted_counts:
        for level, plant in enumerate(plants):
            rng = np.random.default_rng([seed, 7, level, planted])
            cell = time.perf_counter()
            for t in term_lists[level]:
                cand = np.flatnonzero(cand_all[plant][:, t])
                for r in range(reps):
                    chosen = list(rng.choice(cand, size=planted, replace=False))
                    others = np.setdiff1d(np.arange(universe), cand)
                    chosen += list(rng.choice(others, size=6 - planted, replace=False))
                    mirnas = [engine.universe.mirnas[i] for i in chosen]
                    set_seed = ((seed * 10 + level) * 10 + planted) * 100_000 + t * 10 + r
                    result, warned = evaluate(
                        engine, mirnas, settings, set_seed, threads, methods, cand_all[plant]
                    )
                    row = {
                        "plant": plant_label(plant),
                        "planted": planted,
                        "term": int(t),
                        "library": info["library"].iloc[t],
                        "term_name": info["term"].iloc[t],
                        "size": int(info["term_size"].iloc[t]),
                        "focus": info["focus"].iloc[t] != "",
                        "candidates": int(cand.size),
                        "rep": r,
                        "mirnas": ",".join(mirnas),
                        "warned": warned,
                    }
                    for method, res in result.items():
                        row[f"p|{method}"] = float(res["p"][t])
                        for fam, q in res["fdr"].items():
                            row[f"{method}|{fam}"] = bool(q[t] < 0.05)
                        if "p_method" in res:
                            row[f"p_method|{method}"] = res["p_method"][t]
                            row[f"seconds|{method}"] = res["seconds"]
                    rows.append(row)
            frame = pd.DataFrame(rows)
            cell_rows = frame[
                (frame["plant"] == plant_label(plant)) & (frame["planted"] == planted)
            ]
            print(
                f"-- {plant_label(plant)}, {planted} of 6: {len(cell_rows)} sets of "
                f"{cell_rows['term'].nunique()} terms, {time.perf_counter() - cell:.0f} s "
                f"(total {time.perf_counter() - start:.0f} s); {load_average()}",
                flush=True,
            )
            print(power_tables(cell_rows), flush=True)
            if out:
                frame.to_csv(f"{out}power.tsv", sep="\t", index=False)
    frame = pd.DataFrame(rows)
    print("\n== power, all cells ==")
    print(power_tables(frame))
    return frame


def power_tables(frame: pd.DataFrame) -> str:
    """Detection per family (focus family: focus terms only) and the planted term's p."""
    methods = [m for m in METHODS if f"p|{m}" in frame.columns]
    lines = []
    for (plant, planted), g in frame.groupby(["plant", "planted"], sort=False):
        focus = g[g["focus"]]
        lines.append(f"{plant}, {planted} of 6: {len(g)} sets ({len(focus)} on focus terms)")
        rows = []
        for m in methods:
            p = g[f"p|{m}"]
            row = {
                "method": m,
                "all": f"{g[f'{m}|all'].mean():.0%}",
                "library": f"{g[f'{m}|library'].mean():.0%}",
                "focus terms: all": f"{focus[f'{m}|all'].mean():.0%}" if len(focus) else "",
                "focus terms: focus": f"{focus[f'{m}|focus'].mean():.0%}" if len(focus) else "",
                "p<0.05": f"{(p < 0.05).mean():.0%}",
                "p<1e-3": f"{(p < 1e-3).mean():.0%}",
                "p<1e-4": f"{(p < 1e-4).mean():.0%}",
                "median p": f"{p.median():.2g}",
            }
            if f"p_method|{m}" in g.columns:
                shares = g[f"p_method|{m}"].value_counts(normalize=True)
                row["p_method"] = ", ".join(f"{k} {v:.0%}" for k, v in shares.items())
                row["s/set"] = f"{g[f'seconds|{m}'].mean():.1f}"
            rows.append(row)
        lines.append(pd.DataFrame(rows).fillna("").to_string(index=False))
    return "\n".join(lines)


def part_chance(engine, plants, n_sets, seed) -> pd.DataFrame:
    """Random uniform sets of 6: terms with >= 1/2/3 of the 6 among its plant candidates."""
    focus = engine.terms["focus"].to_numpy() != ""
    cand = all_candidates(engine, plants)
    rng = np.random.default_rng([seed, 11])
    universe = len(engine.universe.mirnas)
    sets = np.array([rng.choice(universe, size=6, replace=False) for _ in range(n_sets)])
    rows = []
    for plant in plants:
        c = cand[plant]
        hits = c[sets].sum(axis=1)  # sets x terms: how many of the 6 are candidates
        per_term = c.sum(axis=0)
        row = {
            "plant": plant_label(plant),
            "candidates per term (median)": int(np.median(per_term)),
            "terms with >= 3": int((per_term >= 3).sum()),
        }
        for m in (1, 2, 3):
            row[f"sets with a term at >= {m} of 6"] = f"{(hits >= m).any(axis=1).mean():.1%}"
            row[f"terms per set at >= {m}"] = f"{(hits >= m).sum(axis=1).mean():.2f}"
        row["sets with a focus term at >= 3"] = f"{(hits[:, focus] >= 3).any(axis=1).mean():.1%}"
        rows.append(row)
    frame = pd.DataFrame(rows)
    print(f"\n== chance: {n_sets} uniform random sets of 6 ==")
    print(frame.T.to_string(header=False))
    return frame


def part_sets(engine, settings, results: Path, threads) -> pd.DataFrame:
    """The configured sets' calls per family with the old and the new default."""
    rows = []
    for path in sorted((results / "targets").glob("*.tsv")):
        if path.name == "sources.tsv":
            continue
        mirnas = engine.mirnas_from_targets(path)
        result, _ = evaluate(engine, mirnas, settings, settings.null.seed, threads, ("new", "old"))
        for method in ("old", "new"):
            r = result[method]
            rows.append(
                {
                    "set": path.stem,
                    "k": len(mirnas),
                    "method": method,
                    **{f"calls_{fam}": int((q < 0.05).sum()) for fam, q in r["fdr"].items()},
                    "tests_p05": round(float((r["p"] < 0.05).mean()), 3),
                    "min_p": float(np.nanmin(r["p"])),
                    "p_method": pd.Series(r["p_method"]).value_counts().to_dict(),
                    "seconds": round(r["seconds"], 1),
                }
            )
            print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    print("\n== configured sets: calls with the old and the new default ==")
    print(frame.to_string(index=False))
    return frame


def part_tail(engine, settings, prefixes, draws, seed, threads) -> pd.DataFrame:
    """The new default's calls over all terms in earlier calibration sets, again at ``draws``.

    Reads the sets with a call from ``<prefix>calibration.tsv`` (same ``--seed``), draws them
    again and reruns the default null with ``max_draws = draws``: the called terms' p-values
    and calls at the default ``max_draws`` and at ``draws`` (a check of the tail fit).
    """
    frame = pd.concat([pd.read_csv(f"{p}calibration.tsv", sep="\t") for p in prefixes])
    flagged = frame[(frame["method"] == "new") & frame["any_all"]]
    rows = []
    for (kind, k), g in flagged.groupby(["sets", "k"]):
        rng = np.random.default_rng([seed, k, kind == "target_rich"])
        wanted = set(g["set"])
        for i in range(max(wanted) + 1):
            mirnas = random_mirnas(engine, rng, k, kind)
            if i not in wanted:
                continue
            null = replace(settings.null, seed=seed * 100_003 + k * 1009 + i)
            tables = []
            for limit in (null.max_draws, draws):
                res = engine.analyse(
                    "q",
                    mirnas,
                    null=replace(null, max_draws=limit),
                    fdr=settings.fdr,
                    threads=threads,
                )
                tables.append(res.table.set_index(["library", "term_id"]))
            before, after = tables
            called = before.index[before["fdr_all"] < 0.05]
            print(
                f"{kind} k={k} set {i}: {called.size} terms called over all terms; at {draws:,} "
                f"draws {int((after['fdr_all'] < 0.05).sum())}",
                flush=True,
            )
            for key in called:
                rows.append(
                    {
                        "sets": kind,
                        "k": k,
                        "set": i,
                        "term": before.loc[key, "term"],
                        "p": before.loc[key, "p_emp"],
                        "p_method": before.loc[key, "p_method"],
                        f"p at {draws}": after.loc[key, "p_emp"],
                        f"p_method at {draws}": after.loc[key, "p_method"],
                        f"called at {draws}": bool(after.loc[key, "fdr_all"] < 0.05),
                    }
                )
    out = pd.DataFrame(rows)
    print(out.to_string(index=False))
    return out


def part_recheck(engine, settings, prefixes, seed, threads) -> pd.DataFrame:
    """Earlier calibration sets with a call (over all terms or in the focus family), again with
    the current default: per cell, sets with a call then and now."""
    frame = pd.concat([pd.read_csv(f"{p}calibration.tsv", sep="\t") for p in prefixes])
    flagged = frame[(frame["method"] == "new") & (frame["any_all"] | frame["any_focus"])]
    rows = []
    for (kind, k), g in flagged.groupby(["sets", "k"]):
        rng = np.random.default_rng([seed, k, kind == "target_rich"])
        wanted = g.drop_duplicates("set").set_index("set")
        for i in range(int(wanted.index.max()) + 1):
            mirnas = random_mirnas(engine, rng, k, kind)
            if i not in wanted.index:
                continue
            null = replace(settings.null, seed=seed * 100_003 + k * 1009 + i)
            table = engine.analyse("q", mirnas, null=null, fdr=settings.fdr, threads=threads).table
            called = table["fdr_all"] < 0.05
            rows.append(
                {
                    "sets": kind,
                    "k": k,
                    "set": i,
                    "all_then": bool(wanted.at[i, "any_all"]),
                    "all_now": bool(called.any()),
                    "focus_then": bool(wanted.at[i, "any_focus"]),
                    "focus_now": bool((table["fdr_focus"] < 0.05).any()),
                    "p_method_now": ";".join(sorted(set(table.loc[called, "p_method"]))),
                }
            )
            print(rows[-1], flush=True)
    out = pd.DataFrame(rows)
    columns = ["all_then", "all_now", "focus_then", "focus_now"]
    print(out.groupby(["sets", "k"])[columns].sum().to_string())
    print(out[columns].sum().to_string())
    return out


def combine(prefixes: list[str], n_libraries: int | None = None) -> None:
    """Print the tables of runs of the same design and seed with different ``--methods``."""
    cal = [f"{p}calibration.tsv" for p in prefixes if Path(f"{p}calibration.tsv").exists()]
    if cal:
        frame = pd.concat([pd.read_csv(path, sep="\t") for path in cal], ignore_index=True)
        print("\n== calibration ==")
        print(summarise(frame, n_libraries or 5))
    paths = [f"{p}power.tsv" for p in prefixes if Path(f"{p}power.tsv").exists()]
    if paths:
        keys = ["plant", "planted", "term", "rep"]
        frame = pd.read_csv(paths[0], sep="\t")
        for path in paths[1:]:
            more = pd.read_csv(path, sep="\t")
            extra = [c for c in more.columns if c in keys or c not in frame.columns]
            frame = frame.merge(more[extra], on=keys, how="inner", validate="one_to_one")
        print("\n== power ==")
        print(power_tables(frame))


def pool(prefixes: list[str]) -> str:
    """Detection per family over the power runs of several seeds (each run's sets counted once),
    with 95 % Clopper-Pearson intervals; the focus family on the sets planted on focus terms."""
    frame = pd.concat([pd.read_csv(f"{p}power.tsv", sep="\t") for p in prefixes], ignore_index=True)
    methods = [m for m in METHODS if f"p|{m}" in frame.columns]
    rows = []
    for (plant, planted), g in frame.groupby(["plant", "planted"], sort=False):
        focus = g[g["focus"]]
        for m in methods:
            row = {"plant": plant, "planted": f"{planted} of 6", "method": m}
            for fam, sets in (("all", g), ("library", g), ("focus", focus)):
                hits = int(sets[f"{m}|{fam}"].sum())
                row[fam] = clopper_pearson(hits, len(sets))
            rows.append(row)
    return pd.DataFrame(rows).to_string(index=False)


def losses(prefixes: list[str], engine: EnrichmentEngine, families: float) -> pd.DataFrame:
    """Why the default misses planted terms within their library, over earlier power runs.

    Each planted set falls in one class, in this order: the matching check flagged it on the
    plain strata (column ``warned``: with ``tilt`` the null is tilted to it, without ``auto``
    runs ``share`` on it); two or more of its miRNAs are members of one family (Jaccard >=
    ``families``), which the summed scores count once; neither.  Per plant level and class: the
    sets, the default's detection within the library and the oracle's.
    """
    frame = pd.concat([pd.read_csv(f"{p}power.tsv", sep="\t") for p in prefixes], ignore_index=True)
    label = target_families(engine.targets, families) if families else None
    row_of = {m: i for i, m in enumerate(engine.universe.mirnas)}

    def kind(row) -> str:
        if row["warned"]:
            return "flagged by the check"
        if label is not None:
            members = label[[row_of[m] for m in row["mirnas"].split(",")]]
            if np.unique(members).size < members.size:
                return "family counted once"
        return "neither"

    frame["class"] = frame.apply(kind, axis=1)
    rows = []
    for (plant, cls), g in frame.groupby(["plant", "class"], sort=False):
        rows.append(
            {
                "plant": plant,
                "class": cls,
                "sets": len(g),
                "default": clopper_pearson(int(g["new|library"].sum()), len(g)),
                "oracle": clopper_pearson(int(g["oracle|library"].sum()), len(g))
                if "oracle|library" in g
                else "",
                "missed": int((~g["new|library"]).sum()),
            }
        )
    return pd.DataFrame(rows).sort_values(["plant", "class"], kind="stable", ignore_index=True)


def parse_cells(args) -> list[tuple[str, int, int]]:
    cells = {
        (kind, int(k)): args.sets for kind in args.kinds.split(",") for k in args.sizes.split(",")
    }
    for item in filter(None, args.extra_sets.split(",")):
        kind, k, n = item.split(":")
        cells[(kind, int(k))] = int(n)
    return [(kind, k, n) for (kind, k), n in cells.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=str(REPO / "results"))
    parser.add_argument("--resources", default=str(REPO / "resources"))
    parser.add_argument("--parts", default="calibration,power,chance")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--sizes", default="3,10,50,150,300")
    parser.add_argument("--kinds", default="target_rich,uniform", help="random-set kinds")
    parser.add_argument("--sets", type=int, default=30, help="random sets per kind and k")
    parser.add_argument(
        "--extra-sets",
        default="target_rich:50:100",
        help="kind:k:n,... cells with another number of sets",
    )
    parser.add_argument(
        "--skip", type=int, default=0, help="calibration: leave out the first sets of each cell"
    )
    parser.add_argument("--plants", default="0.05:0.01,0.01:0.001", help="quantile:p_max,...")
    parser.add_argument("--planted", default="3,1,2", help="planted miRNAs of 6, in run order")
    parser.add_argument("--terms", type=int, default=1, help="power: terms per library and size")
    parser.add_argument("--focus-terms", type=int, default=8, help="power: focus terms")
    parser.add_argument("--reps", type=int, default=3, help="power: sets per term and ratio")
    parser.add_argument("--chance-sets", type=int, default=2000)
    parser.add_argument("--tail-from", default="", help="tail, recheck: calibration --out prefixes")
    parser.add_argument("--tail-draws", type=int, default=2_000_000, help="tail: max_draws")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--quick", action="store_true", help="3 sets per cell, 1 focus term, 1 rep, 200 chance sets"
    )
    parser.add_argument("--out", help="write the per-set tables here (TSV prefix)")
    parser.add_argument(
        "--families",
        type=float,
        help="the null's families setting (mirna_sum; default: the schema's)",
    )
    parser.add_argument(
        "--combine",
        help="print the tables of earlier --out prefixes (comma-separated; same seed and design, "
        "other --methods) and stop",
    )
    parser.add_argument(
        "--pool",
        help="print the power detection of earlier --out prefixes of other seeds together "
        "(comma-separated; same methods) and stop",
    )
    parser.add_argument(
        "--no-tilt",
        action="store_true",
        help="the default without enrichment.empirical.tilt (uniform draws in every stratum)",
    )
    parser.add_argument(
        "--score-threshold",
        type=float,
        help="the null's score_threshold (mirna_sum; 1: every miRNA's whole -ln p; default: the "
        "schema's)",
    )
    parser.add_argument(
        "--losses",
        help="why the default misses planted terms, over earlier --out prefixes (comma-separated; "
        "--methods new,oracle) and stop",
    )
    args = parser.parse_args()
    if args.pool:
        print(pool(args.pool.split(",")))
        return
    if args.combine:
        combine(args.combine.split(","))
        return
    if args.quick:
        args.sets, args.extra_sets, args.terms, args.focus_terms, args.reps = 3, "", 0, 1, 1
        args.chance_sets = 200
    logging.disable(logging.WARNING)
    print(load_average())
    settings = default_settings()
    if args.families is not None:
        settings = replace(settings, null=replace(settings.null, families=args.families))
    if args.no_tilt:
        settings = replace(settings, null=replace(settings.null, tilt=False))
    if args.score_threshold is not None:
        settings = replace(
            settings, null=replace(settings.null, score_threshold=args.score_threshold)
        )
    print(f"new default: {settings.null} (fdr {settings.fdr})")
    engine = load(Path(args.results), Path(args.resources), settings)
    if args.losses:
        table = losses(args.losses.split(","), engine, settings.null.families)
        print(table.to_string(index=False))
        return
    parts = args.parts.split(",")
    methods = args.methods.split(",")
    plants = parse_plants(args.plants)
    for part in parts:
        if part == "chance":
            part_chance(engine, plants, args.chance_sets, args.seed)
        elif part == "calibration":
            cells = parse_cells(args)
            cal = part_calibration(
                engine, settings, cells, args.seed, args.threads, methods, args.out, args.skip
            )
            print("\n== calibration ==")
            print(summarise(cal, len(engine.libraries)))
        elif part == "power":
            part_power(
                engine,
                settings,
                plants,
                [int(x) for x in args.planted.split(",")],
                args.terms,
                args.focus_terms,
                args.reps,
                args.seed,
                args.threads,
                methods,
                args.out,
            )
        elif part == "tail":
            part_tail(
                engine,
                settings,
                args.tail_from.split(","),
                args.tail_draws,
                args.seed,
                args.threads,
            )
        elif part == "recheck":
            part_recheck(engine, settings, args.tail_from.split(","), args.seed, args.threads)
        elif part == "sets":
            part_sets(engine, settings, Path(args.results), args.threads)
        else:
            parser.error(
                f"unknown part {part!r}: use calibration, power, chance, tail, recheck, sets"
            )
    print(load_average())


if __name__ == "__main__":
    main()
