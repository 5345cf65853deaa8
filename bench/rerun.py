"""What a rerun costs: a cold run, a warm rerun, and the run after adding one set to the sheet.

On the real references (``config/examples/local-references.yaml``, read in place from
``$EXOMIR_REFERENCE_DIR``) with the default sheet and the default enrichment settings, in a
temporary working directory:

1. cold: the whole workflow from nothing (references normalised, then every result);
2. warm: ``results/`` and ``logs/`` removed, the normalised references kept, everything again;
3. add one set: a set of ``--added`` miRNAs of the sheet (a new MSC source) appended to the
   sheet; the dry run's job list is printed, then the run is timed.

The figure that matters is the third divided by the second (target: at most 25 %). For the warm
run it prints where the time goes, per rule: jobs, summed job wall time, and the part of it that
is start-up (interpreter, Snakemake's script preamble: the first line of every job log, written
by workflow/scripts/common), the time Snakemake spends before the first job starts, and the
import time of the modules the scripts load. A job's wall time runs from its process start to
the last write of its log.

    EXOMIR_REFERENCE_DIR=/work/shared/data python bench/rerun.py [--cores 2] [--keep]

Figures are recorded in bench/README.md ("Reruns").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONFIG = "config/examples/local-references.yaml"
STARTUP = re.compile(r"^(\S+ \S+) INFO exomir\.workflow: start-up ([\d.]+) s$", re.M)
#: Modules whose import a job pays before its work (measured in a fresh interpreter each).
IMPORTS = (
    "pandas",
    "exomir.names",
    "exomir.targets",
    "exomir.enrichment",
    "exomir.signatures",
    "exomir.report",
)


def snakemake(workdir: Path, *args: str, cores: int) -> tuple[float, str, float]:
    """Run the workflow in ``workdir``; return wall seconds, the output and the start (epoch)."""
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / CONFIG),
        "--cores",
        str(cores),
        *args,
    ]
    started = time.time()
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        sys.exit(f"snakemake {' '.join(args)} failed in {workdir}:\n{output[-5000:]}")
    return seconds, output, started


def job_times(workdir: Path) -> dict[str, list[tuple[float, float, float]]]:
    """Per rule: (process start, start-up seconds, wall seconds) of each job, from its log."""
    jobs: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for log in sorted((workdir / "logs").rglob("*.log")):
        match = STARTUP.search(log.read_text(errors="replace"))
        if not match:
            continue
        stamp = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
        startup = float(match.group(2))
        began = stamp - startup
        jobs[rule_of(log.relative_to(workdir / "logs"))].append(
            (began, startup, log.stat().st_mtime - began)
        )
    return jobs


def rule_of(log: Path) -> str:
    """The rule that writes a log (the workflow's log paths name their stage)."""
    parts = log.parts
    first = parts[0]
    if first == "names":
        return "resolve_names"
    if first == "targets":
        return "target_edges" if log.stem == "all_edges" else "set_targets"
    if first == "sets":
        return "build_sets" if log.stem == "build_sets" else "set_rows"
    if first == "compare":
        return "overlap" if log.stem == "overlap" else "compare_sets"
    if first == "signatures":
        return "signature_summary" if log.stem == "summary" else "signatures"
    if first == "references":
        return {
            "genes": "gene_table",
            "targets": "target_source",
            "gene_sets": "gene_set_library",
        }.get(parts[1], "reference_provenance" if log.stem == "provenance" else parts[1])
    return log.stem if len(parts) == 1 else first


def import_seconds(module: str) -> float:
    """Median of three fresh-interpreter imports of ``module``, minus a bare interpreter."""

    def once(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    bare = sorted(once("pass") for _ in range(3))[1]
    return sorted(once(f"import {module}") for _ in range(3))[1] - bare


def breakdown(workdir: Path, wall: float, started: float, cores: int) -> None:
    jobs = job_times(workdir)
    first_start = min(began for runs in jobs.values() for began, _, _ in runs)
    print(f"\n{'rule':22} {'jobs':>4} {'wall s':>8} {'start-up s':>10} {'mean s/job':>10}")
    total_wall = total_startup = 0.0
    count = 0
    for rule, runs in sorted(jobs.items(), key=lambda kv: -sum(r[2] for r in kv[1])):
        job_wall = sum(r[2] for r in runs)
        startup = sum(r[1] for r in runs)
        total_wall += job_wall
        total_startup += startup
        count += len(runs)
        print(
            f"{rule:22} {len(runs):4d} {job_wall:8.1f} {startup:10.2f} {job_wall / len(runs):10.2f}"
        )
    print(f"{'all jobs':22} {count:4d} {total_wall:8.1f} {total_startup:10.2f}")
    print(
        f"run wall {wall:.1f} s on {cores} cores; summed job wall / cores {total_wall / cores:.1f} "
        f"s; Snakemake start (parse, DAG) to the first job {first_start - started:.1f} s"
    )
    print("\nimport cost in a fresh interpreter (each job pays those of its script):")
    for module in IMPORTS:
        print(f"  {module:20} {import_seconds(module):5.2f} s")


def added_set(sheet: Path, size: int) -> str:
    """Rows of a new set: the first ``size`` distinct miRNAs of the sheet, a new MSC source."""
    seen: list[str] = []
    for line in sheet.read_text().splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) > 2 and not line.startswith("#") and fields[2] not in seen:
            seen.append(fields[2])
    rows = seen[:size]
    return "".join(f"bench_added\twharton_jelly\t{m}\t\tbench/rerun.py\n" for m in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--added", type=int, default=10, help="miRNAs of the added set")
    parser.add_argument("--workdir", type=Path, help="working directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    if not os.environ.get("EXOMIR_REFERENCE_DIR"):
        sys.exit("set EXOMIR_REFERENCE_DIR to the folder of the real reference files")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="exomir-rerun-"))
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "config", workdir / "config", dirs_exist_ok=True)
    print(f"working directory {workdir}; {args.cores} cores; load {os.getloadavg()[0]:.1f}")

    cold, _, _ = snakemake(workdir, cores=args.cores)
    print(f"cold run (references and results): {cold:.1f} s")

    for folder in ("results", "logs"):
        shutil.rmtree(workdir / folder)
    warm, _, started = snakemake(workdir, cores=args.cores)
    print(f"warm run (references kept):        {warm:.1f} s")
    breakdown(workdir, warm, started, args.cores)

    with open(workdir / "config" / "mirna_sets.tsv", "a") as sheet:
        sheet.write(added_set(workdir / "config" / "mirna_sets.tsv", args.added))
    _, plan, _ = snakemake(workdir, "-n", "--quiet", "rules", cores=args.cores)
    table = plan[plan.index("Job stats:") :].split("\n\n")[0]
    print(f"\nafter adding one set of {args.added} miRNAs, the dry run plans:\n{table}")
    added, _, _ = snakemake(workdir, cores=args.cores)
    print(f"\nadd one set: {added:.1f} s = {100 * added / warm:.0f} % of the warm run")
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
