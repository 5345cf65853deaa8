"""Speed of the name layers on the real references: miRNA names (miRBase) and gene symbols (HGNC).

    export EXOMIR_REFERENCE_DIR=/path/to/reference/data   # e.g. /work/shared/data
    python bench/names.py [--repeats 5]

Prints, as medians of ``--repeats`` runs:

* ``MirnaResolver.resolve_all`` on the first 3,000 mature names of miRBase 22.1 (many species,
  so most are ``unknown`` for a human resolver) and on every human mature name (all ``ok``);
* ``SymbolMap.harmonise`` on 500,000 queries drawn from HGNC's approved symbols, alias symbols
  and lower-cased symbols.

The tests check what these calls return (tests/test_names.py, tests/test_genes.py); how fast
they are is measured here, not asserted in a test.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _data import load_average, median_time, reference_dir

from exomir.genes import SymbolMap, read_hgnc
from exomir.mirbase import build_mirbase
from exomir.names import MirnaResolver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    ref = reference_dir()
    print(load_average())

    base = ref / "mirbase"
    tables = build_mirbase(
        base / "mature.fa.gz", history_path=base / "hsa_mature_history_miRBase_v6-v22.tsv.gz"
    )
    mixed = tables.mature["name"].tolist()[:3000]
    human = tables.mature.loc[tables.mature["species"] == "hsa", "name"].tolist()
    for label, names, species in (
        ("3,000 names of many species", mixed, None),
        (f"{len(human):,} human names", human, "hsa"),
    ):
        kwargs = {} if species is None else {"species": species}
        resolver = MirnaResolver(tables.mature, tables.aliases, tables.precursors, **kwargs)
        # The first call builds the resolver's lookups; the later ones reuse them.
        first, _, _ = median_time(lambda r=resolver, n=names: r.resolve_all(n), 1)
        seconds, _, frame = median_time(lambda r=resolver, n=names: r.resolve_all(n), args.repeats)
        status = frame["status"].value_counts().to_dict()
        print(
            f"miRNA names, {label}: first call {first:.2f} s ({len(names) / first:,.0f} "
            f"names/s), then {seconds:.3f} s ({len(names) / seconds:,.0f} names/s); {status}"
        )

    genes = read_hgnc(ref / "hgnc" / "hgnc_complete_set.txt.gz")
    symbols = SymbolMap.from_genes(genes)
    pool = pd.concat(
        [
            genes["symbol"],
            genes["alias_symbols"].str.split(";").explode().replace("", None),
            genes["symbol"].str.lower(),
        ]
    ).dropna()
    queries = np.random.default_rng(1).choice(pool.to_numpy(dtype=object), size=500_000)
    seconds, _, result = median_time(lambda: symbols.harmonise(queries), args.repeats)
    print(
        f"gene symbols, 500,000 queries: {seconds:.3f} s, {len(queries) / seconds:,.0f} "
        f"queries/s ({(result['status'] == 'ok').mean():.1%} ok)"
    )
    print(load_average())


if __name__ == "__main__":
    main()
