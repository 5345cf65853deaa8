"""The workflow on a real one-node SLURM cluster.

A session fixture starts SLURM with job accounting on this machine (tests/slurm/start.sh: munged,
MariaDB, slurmdbd, slurmctld, slurmd), and skips with the reason and the daemon's log when that
is impossible (not root, no apt-get, a daemon that does not start). The test then runs the
workflow on its end-to-end fixtures (or a tiny stand-in, see below) twice from fresh copies in
the same directory: once locally (`snakemake --cores 2`, which reads profiles/default) and
once with `snakemake --executor slurm --workflow-profile profiles/slurm`, with account and
partition given on the command line as docs/hpc.md says. It checks in the accounting database
that every job went through sbatch, under the given account and partition, with the rule name in
its comment, and completed; and that the SLURM run's result tables are byte-identical to the
local run's.

Environment: EXOMIR_SLURM_INSTALL=0 forbids installing the Debian packages; EXOMIR_SLURM_KEEP=1
leaves the cluster running after the session; EXOMIR_SLURM_DIR moves its state directory.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.slurm

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "tests" / "slurm"
STATE = Path(os.environ.get("EXOMIR_SLURM_DIR", "/tmp/exomir-slurm"))
ACCOUNT = "exomir"
PARTITION = "exomir"
# A run is never failed for being slow. It is watched instead: its output, the queue and the files
# of its working directory. Only a run that shows no sign of progress for STALL_SECONDS (no new
# output line, no change of a job's state, no file written), or that is still going after
# SAFETY_NET_SECONDS, is stopped: both are safety nets against a hung run, far above what a
# loaded two-core machine needs (the SLURM run takes about 4 minutes on an idle one). A job that
# cannot start (a drained node, a partition that refuses it) fails at once, with SLURM's reason.
STALL_SECONDS = 1800
SAFETY_NET_SECONDS = 4 * 3600
POLL_SECONDS = 5
# Reasons that squeue gives a pending job which will not start without someone's intervention.
STUCK_REASONS = (
    "ReqNodeNotAvail",
    "PartitionDown",
    "PartitionNodeLimit",
    "PartitionConfig",
    "NodeDown",
    "BadConstraints",
    "InvalidAccount",
    "InvalidQOS",
    "AssocGrp",
)
# Seconds that start.sh waits for each daemon to answer (its own default is 60).
DAEMON_TIMEOUT = "600"

# ---------------------------------------------------------------------------------------------
# The real workflow plugs in here: the test runs the repository's Snakefile through SLURM on the
# end-to-end fixture config named by WORKFLOW_FIXTURE_CONFIG. Set it to None to run the tiny
# stand-in workflow below instead (it checks the profile and the executor alone, in about a
# minute; both together would take about four). WORKFLOW_TARGETS limits the run to some outputs
# (empty: rule all).
WORKFLOW_FIXTURE_CONFIG: Path | None = REPO / "tests" / "data" / "workflow" / "config.yaml"
WORKFLOW_TARGETS: tuple[str, ...] = ()
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlurmCluster:
    """A running one-node cluster: its config file and an environment that reaches it."""

    conf: Path
    env: dict[str, str]

    def run(self, *args: str) -> str:
        """Run a SLURM client command and return its standard output."""
        proc = subprocess.run(
            args, env=self.env, capture_output=True, text=True, timeout=600, check=False
        )
        assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stderr}"
        return proc.stdout


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _stop(env: dict[str, str], keep_state: bool) -> None:
    env = {**env, "EXOMIR_SLURM_KEEP_STATE": "1" if keep_state else "0"}
    subprocess.run(
        ["bash", str(SCRIPTS / "stop.sh")], env=env, capture_output=True, timeout=120, check=False
    )


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[SlurmCluster]:
    """Start the one-node cluster for the session (or skip, saying why), stop it afterwards."""
    if os.geteuid() != 0:
        pytest.skip("the SLURM test starts munged, MariaDB and the SLURM daemons: it needs root")
    install = os.environ.get("EXOMIR_SLURM_INSTALL", "1") != "0"
    if shutil.which("slurmctld") is None and not (install and shutil.which("apt-get")):
        pytest.skip(
            "SLURM is not installed and cannot be: no apt-get, or EXOMIR_SLURM_INSTALL=0 "
            "(install slurm-wlm slurmdbd munge mariadb-server)"
        )
    env = {
        **os.environ,
        "EXOMIR_SLURM_DIR": str(STATE),
        "EXOMIR_SLURM_ACCOUNT": ACCOUNT,
        "EXOMIR_SLURM_PARTITION": PARTITION,
        "EXOMIR_SLURM_TIMEOUT": os.environ.get("EXOMIR_SLURM_TIMEOUT", DAEMON_TIMEOUT),
    }
    args = ["bash", str(SCRIPTS / "start.sh"), *(["--install"] if install else [])]
    try:
        # A safety net only: start.sh bounds each of its waits itself (DAEMON_TIMEOUT), and
        # installing the packages may take long on a slow mirror.
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3 * 3600)
    except subprocess.TimeoutExpired as exc:
        _stop(env, keep_state=True)
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        pytest.skip(f"tests/slurm/start.sh did not finish in 3 hours:\n{_tail(stderr)}")
    if proc.returncode != 0:
        _stop(env, keep_state=True)
        pytest.skip(
            f"the one-node SLURM cluster did not start (tests/slurm/start.sh exit "
            f"{proc.returncode}; logs kept in {STATE}/log):\n{_tail(proc.stderr)}"
        )
    conf = STATE / "etc" / "slurm.conf"
    # No SLURM_JOB_ID & co. of an enclosing allocation may leak into the executor.
    clean = {k: v for k, v in env.items() if not k.startswith(("SLURM_", "SBATCH_", "SRUN_"))}
    yield SlurmCluster(conf=conf, env={**clean, "SLURM_CONF": str(conf)})
    if os.environ.get("EXOMIR_SLURM_KEEP") != "1":
        _stop(env, keep_state=False)


# --- workflows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowCase:
    """A workflow to run twice: how to lay it out in a directory, and what to expect."""

    name: str
    prepare: Callable[[Path], None]
    args: tuple[str, ...] = ()
    env: Callable[[Path], dict[str, str]] = lambda _workdir: {}
    # sacct comments (rule_<rule or group name>...) the SLURM jobs must carry; None: any rule_*.
    comments: frozenset[str] | None = None
    # Prefixes of which some job's comment must start with each (e.g. a group's jobs).
    comment_prefixes: tuple[str, ...] = ()
    extra_checks: tuple[Callable[[Path, Path], None], ...] = field(default=())


TINY_SNAKEFILE = textwrap.dedent(
    """\
    # A stand-in with the shape of the exomir workflow: per-set rules in the group "per_set"
    # (as resolve_names and set_targets), and a multi-threaded rule whose memory grows with its
    # input. Every job writes its SLURM job id (or "none") to its log.
    import os
    from pathlib import Path

    SETS = ["adipose", "bone_marrow", "umbilical_cord"]


    def note_job(log):
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        Path(log).write_text(f"SLURM_JOB_ID={os.environ.get('SLURM_JOB_ID', 'none')}\\n")


    rule all:
        input:
            "results/summary.tsv",


    rule resolve_names:
        output:
            "results/names/{set}.tsv",
        log:
            "logs/names/{set}.log",
        group:
            "per_set"
        resources:
            mem_mb=200,
            runtime=5,
        run:
            note_job(log[0])
            rows = [f"{wildcards.set}\\thsa-miR-{10 * i + len(wildcards.set)}-5p\\n" for i in range(4)]
            Path(output[0]).write_text("set\\tmirna\\n" + "".join(rows))


    rule set_targets:
        input:
            "results/names/{set}.tsv",
        output:
            "results/targets/{set}.tsv",
        log:
            "logs/targets/{set}.log",
        group:
            "per_set"
        resources:
            mem_mb=200,
            runtime=5,
        run:
            note_job(log[0])
            lines = Path(input[0]).read_text().splitlines()[1:]
            out = ["mirna\\tgene\\n"]
            for line in lines:
                mirna = line.split("\\t")[1]
                number = int(mirna.split("-")[2])
                out += [f"{mirna}\\tGENE{(number * k) % 97}\\n" for k in (1, 2, 3)]
            Path(output[0]).write_text("".join(out))


    rule summary:
        input:
            expand("results/targets/{set}.tsv", set=SETS),
        output:
            "results/summary.tsv",
        log:
            "logs/summary.log",
        threads: 2
        resources:
            mem_mb=lambda wildcards, input: 300 + int(input.size_mb),
            runtime=10,
        run:
            note_job(log[0])
            out = ["set\\tn_edges\\tn_genes\\n"]
            for path in input:
                rows = Path(path).read_text().splitlines()[1:]
                genes = sorted({row.split("\\t")[1] for row in rows})
                out.append(f"{Path(path).stem}\\t{len(rows)}\\t{len(genes)}\\n")
            Path(output[0]).write_text("".join(out))
    """
)


def _prepare_tiny(workdir: Path) -> None:
    workdir.mkdir(parents=True)
    (workdir / "Snakefile").write_text(TINY_SNAKEFILE)
    shutil.copytree(REPO / "profiles", workdir / "profiles")


def _check_tiny_logs(local: Path, remote: Path) -> None:
    """Every job of the SLURM run ran inside a SLURM job; none of the local run did."""
    for run, inside in ((local, False), (remote, True)):
        logs = sorted(run.glob("logs/**/*.log"))
        logs = [p for p in logs if "slurm" not in p.relative_to(run).parts]
        assert len(logs) == 7, f"{run}: expected 7 job logs, found {logs}"
        for log in logs:
            job_id = log.read_text().strip().removeprefix("SLURM_JOB_ID=")
            assert job_id.isdigit() == inside, f"{log}: SLURM_JOB_ID={job_id}"


TINY = WorkflowCase(
    name="tiny",
    prepare=_prepare_tiny,
    # One job for the three per_set groups (group-components per_set: 4 in the profile) and one
    # for the summary.
    comments=frozenset({"rule_per_set_resolve_names_set_targets", "rule_summary"}),
    extra_checks=(_check_tiny_logs,),
)


def _prepare_exomir(workdir: Path) -> None:
    assert WORKFLOW_FIXTURE_CONFIG is not None
    workdir.mkdir(parents=True)
    shutil.copy2(REPO / "Snakefile", workdir / "Snakefile")
    for folder in ("workflow", "profiles", "config", "resources/curated"):
        if (REPO / folder).is_dir():
            shutil.copytree(
                REPO / folder,
                workdir / folder,
                ignore=shutil.ignore_patterns("__pycache__", ".snakemake"),
            )
    # The fixture config names its files relative to the folder they are copied to
    # ($EXOMIR_FIXTURES): here the working directory itself.
    for path in sorted(WORKFLOW_FIXTURE_CONFIG.parent.iterdir()):
        if path.is_file():
            shutil.copy2(path, workdir / path.name)
    shutil.copy2(WORKFLOW_FIXTURE_CONFIG, workdir / "config.yaml")


EXOMIR = WorkflowCase(
    name="exomir",
    prepare=_prepare_exomir,
    args=(*WORKFLOW_TARGETS, "--configfile", "config.yaml"),
    env=lambda workdir: {"EXOMIR_FIXTURES": str(workdir)},
    # resolve_names and set_targets of the fixture's sets share one job (group per_set).
    comment_prefixes=("rule_per_set_",),
)

CASES = [TINY] if WORKFLOW_FIXTURE_CONFIG is None else [EXOMIR]


# --- the test ---------------------------------------------------------------------------------


def _queue(env: dict[str, str]) -> list[tuple[str, str, str]]:
    """Jobs in the queue as (job id, state, reason); empty where there is no SLURM."""
    try:
        proc = subprocess.run(
            ["squeue", "-h", "-o", "%i|%T|%r"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [tuple(line.split("|", 2)) for line in proc.stdout.splitlines() if line.count("|") == 2]


def _files(workdir: Path) -> tuple[int, float]:
    """Number of files under workdir and the newest modification time: grows as jobs write."""
    count, newest = 0, 0.0
    for path in workdir.rglob("*"):
        try:
            stat = path.stat()
        except OSError:
            continue
        count += 1
        newest = max(newest, stat.st_mtime)
    return count, newest


def _watch(proc: subprocess.Popen, workdir: Path, env: dict[str, str]) -> tuple[str, str | None]:
    """Wait for snakemake while it makes progress; return its output and why it was stopped."""
    lines: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    started = last_progress = time.monotonic()
    seen = None
    stopped = None
    while proc.poll() is None:
        time.sleep(POLL_SECONDS)
        queue = _queue(env)
        now = time.monotonic()
        state = (len(lines), tuple(queue), _files(workdir))
        if state != seen:
            seen, last_progress = state, now
        stuck = [job for job in queue if job[1] == "PENDING" and job[2].startswith(STUCK_REASONS)]
        if stuck:
            stopped = f"SLURM job(s) cannot start: {stuck}"
        elif now - last_progress > STALL_SECONDS:
            stopped = f"no progress (output, queue, files) for {STALL_SECONDS} s"
        elif now - started > SAFETY_NET_SECONDS:
            stopped = f"still running after {SAFETY_NET_SECONDS} s"
        if stopped:
            proc.terminate()
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            break
    reader.join(timeout=60)
    return "".join(lines), stopped


def _snakemake(workdir: Path, options: list[str], case: WorkflowCase, env: dict[str, str]) -> str:
    """Run snakemake in workdir; return its output, or fail with its tail and the SLURM logs.

    No fixed time limit: the run is watched for progress (see STALL_SECONDS).
    """
    command = [sys.executable, "-m", "snakemake", *options, *case.args]
    proc = subprocess.Popen(
        command,
        cwd=workdir,
        env={**env, **case.env(workdir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output, stopped = _watch(proc, workdir, env)
    if stopped:
        queue = subprocess.run(["squeue"], env=env, capture_output=True, text=True, check=False)
        pytest.fail(
            f"{' '.join(command)} (in {workdir}) was stopped: {stopped}:\n"
            f"{_tail(output, 40)}\n$ squeue\n{queue.stdout}{queue.stderr}"
        )
    if proc.returncode != 0:
        slurm_logs = "\n".join(
            f"--- {p.relative_to(workdir)} ---\n{_tail(p.read_text(), 15)}"
            for p in sorted(workdir.glob("logs/slurm/**/*.log"))
        )
        pytest.fail(
            f"{' '.join(command)} (in {workdir}) exited {proc.returncode}:\n"
            f"{_tail(output, 40)}\n{slurm_logs}"
        )
    return output


def _result_tables(run: Path) -> dict[Path, bytes]:
    return {p.relative_to(run): p.read_bytes() for p in sorted(run.glob("results/**/*.tsv"))}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_workflow_runs_through_slurm(
    slurm_cluster: SlurmCluster, tmp_path: Path, case: WorkflowCase
) -> None:
    # Both runs start from one copy of the workflow and of the library (first on PYTHONPATH, also
    # in the SLURM jobs, which inherit the environment), so that an edit of the checkout while
    # the test runs cannot make them differ. They run in the same directory, one after the other,
    # so that tables which name input paths (the reference provenance) compare too.
    template, workdir = tmp_path / "template", tmp_path / "run"
    local, remote = tmp_path / "local", tmp_path / "slurm"
    case.prepare(template)
    shutil.copytree(REPO / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    # The library reads the config schema of its checkout (workflow/schemas beside src/), as an
    # editable install does.
    shutil.copytree(REPO / "workflow" / "schemas", tmp_path / "workflow" / "schemas")
    pythonpath = os.pathsep.join(
        p for p in (str(tmp_path / "src"), os.environ.get("PYTHONPATH", "")) if p
    )
    env = {**slurm_cluster.env, "PYTHONPATH": pythonpath}

    # What a user runs on a workstation; profiles/default is read by itself.
    shutil.copytree(template, workdir)
    output = _snakemake(workdir, ["--cores", "2"], case, env)
    assert "workflow specific profile profiles/default" in output, _tail(output)
    workdir.rename(local)

    # What docs/hpc.md tells a cluster user to run, with --cores lowered to the two CPUs of the
    # test node (see profiles/slurm). Only the first status check comes sooner than the plugin's
    # default (40 s), to keep the test short.
    shutil.copytree(template, workdir)
    started = dt.datetime.now().replace(microsecond=0) - dt.timedelta(seconds=5)
    output = _snakemake(
        workdir,
        [
            "--executor",
            "slurm",
            "--workflow-profile",
            "profiles/slurm",
            "--jobs",
            "4",
            "--cores",
            "2",
            "--default-resources",
            f"slurm_account={ACCOUNT}",
            f"slurm_partition={PARTITION}",
            "--slurm-init-seconds-before-status-checks",
            "2",
        ],
        case,
        env,
    )
    workdir.rename(remote)

    match = re.search(r"SLURM run ID: (\S+)", output)
    assert match, f"no SLURM run ID in the snakemake output:\n{_tail(output)}"
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", output)
    assert submitted, f"no job went through sbatch:\n{_tail(output)}"

    # The executor names every job after its run ID and puts rule_<name> in the comment.
    fields = "JobID,JobName%36,Comment%56,Account,Partition,AllocCPUS,ReqMem,State,ExitCode"
    query = ["sacct", "-X", f"--starttime={started:%Y-%m-%dT%H:%M:%S}"]
    query += ["--name", match.group(1), f"--format={fields}"]
    table = slurm_cluster.run(*query)
    print(f"\n$ {' '.join(query)}\n{table}")
    rows = [
        dict(zip(re.sub(r"%\d+", "", fields).split(","), line.split("|"), strict=True))
        for line in slurm_cluster.run(*query, "--parsable2", "--noheader").splitlines()
    ]
    assert sorted(r["JobID"] for r in rows) == sorted(submitted), table
    for row in rows:
        assert (row["State"], row["ExitCode"]) == ("COMPLETED", "0:0"), table
        assert (row["Account"], row["Partition"]) == (ACCOUNT, PARTITION), table
        assert row["Comment"].startswith("rule_"), table
    if case.comments is not None:
        assert {r["Comment"] for r in rows} == case.comments, table
    for prefix in case.comment_prefixes:
        assert any(r["Comment"].startswith(prefix) for r in rows), table

    local_tables, remote_tables = _result_tables(local), _result_tables(remote)
    assert local_tables, f"the local run wrote no result table under {local}/results"
    assert sorted(remote_tables) == sorted(local_tables)
    for path, content in local_tables.items():
        assert remote_tables[path] == content, f"{path} differs between the local and SLURM runs"
    for check in case.extra_checks:
        check(local, remote)
