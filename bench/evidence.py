"""Edge confidence that follows evidence, on the real data: what it changes.

Inputs are the workflow's own outputs (the normalised target sources and the name audits), so
run it first with the local references, which include the miRTarBase 8.0 stem-level table:

    EXOMIR_REFERENCE_DIR=/work/shared/data snakemake --cores 2 \\
        --configfile config/examples/local-references.yaml
    python bench/evidence.py                  # in the folder of that run
    python bench/evidence.py --run /tmp/run --top 5

Three edge tables are built from the same normalised sources with
:func:`exomir.targets.combine_sources`:

* ``flat``: the rule before evidence weighting (every library or pair-table edge 0.5, no
  stem-level table), i.e. ``targets.confidence.library: 0.5``;
* ``no_stem``: the default rule without the stem-level table;
* ``evidence``: the default rule with it (the workflow's ``all_edges``).

Printed, per table: the confidence distribution (quantiles and counts per band) and the number
of edges with stem-level PMIDs; then, for every set of the sheet, the signatures scored on the
``flat`` and ``evidence`` tables (the workflow's null: N, seed and strata of
``enrichment.empirical``): the tumour lean (score, z, p, direction) and the top drivers of the
lean and of every call made, with their confidence and stem-level PMID count; and where
miR-21-5p -> PTEN ranks among the PI3K-Akt drivers.  Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from exomir import signatures as sg
from exomir._io import read_tsv
from exomir._schema import with_defaults
from exomir.enrichment import NullSettings
from exomir.sets import read_mirna_sets
from exomir.targets import combine_sources, set_targets

REPO = Path(__file__).resolve().parents[1]
CURATED = REPO / "resources" / "curated"
BANDS = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 1.0]


def load_sources(run: Path, config: dict) -> dict[str, tuple[str, pd.DataFrame]]:
    """The run's normalised target sources, in the order of ``targets.sources``."""
    out = {}
    for key in config["targets"]["sources"]:
        entry = config["references"]["targets"][key]
        path = run / "resources/references/targets" / key / str(entry["version"]) / "edges.parquet"
        out[key] = (entry["format"], pd.read_parquet(path))
    return out


def distribution(edges: pd.DataFrame) -> str:
    conf = edges["confidence"].to_numpy(float)
    q = np.quantile(conf, [0.1, 0.25, 0.5, 0.75, 0.9])
    counts, _ = np.histogram(conf, bins=BANDS)
    bands = ", ".join(
        f"[{lo:g},{hi:g}{']' if hi == 1 else ')'} {n:,}"
        for lo, hi, n in zip(BANDS[:-1], BANDS[1:], counts, strict=True)
        if n
    )
    stem = edges["stem_pmids"].notna().sum() if "stem_pmids" in edges else 0
    distinct = len(np.unique(conf))
    return (
        f"{len(edges):,} edges, {distinct} distinct values; quantiles 10/25/50/75/90 %: "
        + " / ".join(f"{v:.3f}" for v in q)
        + f"; mean {conf.mean():.3f}\n    bands: {bands}\n    edges with stem-level PMIDs: {stem:,}"
    )


def drivers_text(drivers: pd.DataFrame, key: str, sign: float, top: int) -> str:
    mine = drivers[drivers["key"] == key]
    if sign:
        mine = mine[np.sign(mine["contribution"]) == sign]
    rows = []
    for r in mine.head(top).itertuples(index=False):
        stem = "" if pd.isna(r.stem_pmids) else f", {int(r.stem_pmids)} PMIDs"
        rows.append(f"{r.mirna}->{r.gene} ({r.confidence:.2f}{stem})")
    return "; ".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, default=Path("."), help="folder of the workflow run")
    parser.add_argument(
        "--config",
        type=Path,
        default=REPO / "config" / "examples" / "local-references.yaml",
        help="the run's config file",
    )
    parser.add_argument("--top", type=int, default=5, help="drivers shown per call")
    args = parser.parse_args()
    config = yaml.safe_load(args.config.read_text())
    policy = with_defaults(config["targets"], "targets")
    sources = load_sources(args.run, config)
    edge_sources = {k: v for k, v in sources.items() if v[0] != "stem_pmids"}
    tables = {
        "flat": combine_sources(edge_sources, {**policy, "confidence": {"library": 0.5}}),
        "no_stem": combine_sources(edge_sources, policy),
        "evidence": combine_sources(sources, policy),
    }
    print("## Confidence distribution")
    for name, edges in tables.items():
        print(f"- {name}: {distribution(edges)}")
    ev = tables["evidence"].set_index(["mirna", "gene"])
    for pair in (("hsa-miR-21-5p", "PTEN"), ("hsa-miR-21-3p", "PTEN"), ("hsa-miR-21-5p", "PDCD4")):
        if pair in ev.index:
            row = ev.loc[pair]
            print(
                f"  {pair[0]}->{pair[1]}: sources {row['sources']}, stem PMIDs "
                f"{row['stem_pmids']}, confidence {row['confidence']:.3f}"
            )

    empirical = with_defaults(config.get("enrichment", {}), "enrichment")["empirical"]
    null = NullSettings.from_config(empirical)
    model = sg.read_model(
        CURATED / "pathway_regulators.tsv",
        CURATED / "gene_roles.tsv",
        CURATED / "focus_pathways.yaml",
    )
    sheet = read_mirna_sets(args.run / config["mirna_sets"])
    for set_name in dict.fromkeys(sheet["set"]):
        names = read_tsv(args.run / "results" / "names" / f"{set_name}.tsv", strings=True)
        source = sheet.loc[sheet["set"] == set_name, "msc_source"].iloc[0]
        print(f"\n## {set_name} ({source})")
        for name in ("flat", "evidence"):
            edges = tables[name]
            start = time.perf_counter()
            targets = set_targets(edges, names, sheet, set_name)
            result = sg.score_set(
                targets,
                edges[["mirna", "gene", "confidence"]],
                model,
                set_name=set_name,
                null=null,
            )
            table = result.table.set_index("key")
            lean = table.loc["tumour_lean"]
            print(
                f"- {name} ({time.perf_counter() - start:.1f} s): lean {lean['score']:+.2f} "
                f"(z {lean['z']:+.2f}, p {lean['p_value']:.4f} [{lean['p_method']}], "
                f"fdr {lean['fdr']:.3f}) -> {lean['direction']}; pro z "
                f"{table.at['pro_tumour', 'z']:+.2f}, anti z {table.at['anti_tumour', 'z']:+.2f}"
            )
            print(
                f"    lean drivers: "
                f"{drivers_text(result.drivers, 'tumour_lean', np.sign(lean['score']), args.top)}"
            )
            called = table[(table["direction"] != "none") & (table.index != "tumour_lean")]
            for key, row in called.iterrows():
                text = drivers_text(result.drivers, key, np.sign(row["score"]), args.top)
                print(
                    f"    {row['label']} {row['direction']} (p {row['p_value']:.4f}, "
                    f"fdr {row['fdr']:.3f}): {text}"
                )
            pi3k = result.drivers[result.drivers["key"] == "pi3k_akt"].reset_index(drop=True)
            hit = pi3k[(pi3k["mirna"] == "hsa-miR-21-5p") & (pi3k["gene"] == "PTEN")]
            if not hit.empty:
                print(
                    f"    miR-21-5p->PTEN: rank {int(hit['rank'].iloc[0])} of {len(pi3k)} "
                    f"PI3K-Akt drivers (PI3K-Akt {table.at['pi3k_akt', 'direction']}, "
                    f"p {table.at['pi3k_akt', 'p_value']:.4f})"
                )


if __name__ == "__main__":
    main()
