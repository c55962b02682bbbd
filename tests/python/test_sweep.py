"""`caremarket sweep` and `caremarket compare`: designs and seeds, local and MPI runs agreeing
byte for byte, restarting after a kill, flat memory, Slurm scripts, and paired comparisons."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import h5py

import numpy as np
import pytest

from conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "configs" / "sweeps" / "example.toml"


def sweep_file(tmp_path: Path, body: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).replace("SCENARIO", str(REPO_ROOT / "tests/data/tiny.toml")))
    return path


def cli(exe, *args, **kw):
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=kw.pop("timeout", 300), **kw)


def datasets(path: Path) -> dict:
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def same(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            if not np.array_equal(x, y, equal_nan=True):
                return False
        elif isinstance(x, np.ndarray):
            if x.tolist() != y.tolist():
                return False
        elif x != y:
            return False
    return True


def test_example_sweep_is_small_and_valid(caremarket_bin):
    res = cli(caremarket_bin, "sweep", EXAMPLE, "--dry-run")
    assert res.returncode == 0, res.stderr
    rows = res.stdout.strip().splitlines()[1:]
    assert 8 <= len(rows) <= 16


def test_seeds_derive_from_root_point_and_replicate(caremarket_bin, tmp_path):
    body = """
        [sweep]
        scenario = "SCENARIO"
        replicates = 3
        root_seed = 11
        common_random_numbers = {crn}
        [[sweep.parameters]]
        key = "labour.nlw"
        values = [12.0, 13.0]
    """
    seeds = {}
    for crn in ("true", "false"):
        res = cli(caremarket_bin, "sweep", sweep_file(tmp_path, body.format(crn=crn)), "--dry-run")
        assert res.returncode == 0, res.stderr
        rows = [line.split("\t") for line in res.stdout.strip().splitlines()[1:]]
        seeds[crn] = {(int(r[1]), int(r[2])): int(r[3]) for r in rows}
    # Common random numbers: replicate r has one seed at every point; replicates differ.
    assert seeds["true"][(0, 1)] == seeds["true"][(1, 1)]
    assert len({seeds["true"][(0, r)] for r in range(3)}) == 3
    # Without: every run has its own seed.
    assert len(set(seeds["false"].values())) == 6
    # Deterministic: the same file gives the same seeds.
    again = cli(caremarket_bin, "sweep", sweep_file(tmp_path, body.format(crn="false")), "--dry-run")
    assert {(int(r.split("\t")[1]), int(r.split("\t")[2])): int(r.split("\t")[3])
            for r in again.stdout.strip().splitlines()[1:]} == seeds["false"]


@pytest.mark.parametrize("sampling", ["latin_hypercube", "sobol"])
def test_sampled_designs_cover_the_ranges(caremarket_bin, tmp_path, sampling):
    path = sweep_file(tmp_path, f"""
        [sweep]
        scenario = "SCENARIO"
        sampling = "{sampling}"
        samples = 16
        [[sweep.parameters]]
        key = "labour.outside_wage"
        range = [11.0, 14.0]
        [[sweep.parameters]]
        key = "founding.coordinators"
        range = [0, 8]
    """)
    res = cli(caremarket_bin, "sweep", path, "--dry-run")
    assert res.returncode == 0, res.stderr
    values = []
    for line in res.stdout.strip().splitlines()[1:]:
        sets = dict(kv.split("=") for kv in line.split("\t")[5].split() if "=" in kv)
        values.append((float(sets["labour.outside_wage"]), float(sets["founding.coordinators"])))
    values = np.array(values)
    assert len(values) == 16
    assert values[:, 0].min() >= 11 and values[:, 0].max() <= 14
    # Each of 16 equal strata of each range holds exactly one point (LHS), or at most two (Sobol).
    for j, (lo, hi) in enumerate([(11, 14), (0, 8)]):
        strata = np.bincount(np.minimum(((values[:, j] - lo) / (hi - lo) * 16).astype(int), 15), minlength=16)
        assert strata.max() <= (1 if sampling == "latin_hypercube" else 2), strata


def test_bad_sweep_files_name_the_key(caremarket_bin, tmp_path):
    path = sweep_file(tmp_path, """
        [sweep]
        scenario = "SCENARIO"
        replicas = 2
        [[sweep.parameters]]
        key = "labour.nlww"
        values = [1]
    """)
    res = cli(caremarket_bin, "sweep", path, "-o", tmp_path / "out")
    assert res.returncode == 2
    assert "sweep.replicas is not a known parameter; did you mean 'sweep.replicates'?" in res.stderr
    assert 'did you mean "labour.nlw"?' in res.stderr


def test_local_and_mpi_sweeps_agree(caremarket_bin, tmp_path):
    assert shutil.which("mpirun"), "OpenMPI's mpirun is missing: run scripts/install-deps.sh"
    local, mpi = tmp_path / "local", tmp_path / "mpi"
    res = cli(caremarket_bin, "sweep", EXAMPLE, "-o", local, "-q")
    assert res.returncode == 0, res.stderr
    flags = ["--allow-run-as-root"] if os.geteuid() == 0 else []
    res = subprocess.run(["mpirun", *flags, "--oversubscribe", "-n", "2", str(caremarket_bin), "sweep", str(EXAMPLE),
                          "-o", str(mpi), "-q"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    runs = sorted(p.name for p in (local / "runs").glob("*.h5"))
    assert runs == sorted(p.name for p in (mpi / "runs").glob("*.h5")) and len(runs) == 8
    for name in runs:
        assert same(datasets(local / "runs" / name), datasets(mpi / "runs" / name)), name
    assert same(datasets(local / "index.h5"), datasets(mpi / "index.h5"))
    status = datasets(local / "index.h5")["status"]
    assert status.tolist() == [1] * 8


def test_killed_sweep_finishes_on_rerun_with_each_run_once(caremarket_bin, tmp_path):
    path = sweep_file(tmp_path, """
        [sweep]
        scenario = "SCENARIO"
        replicates = 12
        steps = 150
    """)
    out = tmp_path / "out"
    proc = subprocess.Popen([str(caremarket_bin), "sweep", str(path), "-o", str(out), "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    journal = out / "journal.tsv"
    while time.monotonic() < deadline:  # kill hard once a few runs are done
        if journal.exists() and journal.read_text().count("\tdone\t") >= 3:
            break
        time.sleep(0.05)
    proc.kill()
    proc.communicate()
    first = journal.read_text().count("\tdone\t")
    assert 3 <= first < 12, f"{first} runs finished before the kill"
    res = cli(caremarket_bin, "sweep", path, "-o", out)
    assert res.returncode == 0, res.stderr
    assert f"({first} already done before)" in res.stdout
    index = datasets(out / "index.h5")
    assert index["run"].tolist() == list(range(12))
    assert index["status"].tolist() == [1] * 12
    assert sorted(p.name for p in (out / "runs").glob("*.h5")) == sorted(f.split("/")[1] for f in index["file"].astype(str))
    assert not list((out / "runs").glob("*.tmp-*"))
    # Every run is in the journal exactly once as done (runs in flight at the kill were redone).
    lines = [l.split("\t") for l in journal.read_text().splitlines() if not l.startswith("#")]
    done = [int(l[0]) for l in lines if l[1] == "done"]
    assert sorted(done) == list(range(12))


def test_memory_stays_flat_as_runs_grow(caremarket_bin, tmp_path):
    def peak_kib(replicates: int) -> int:
        path = sweep_file(tmp_path, f"""
            [sweep]
            scenario = "SCENARIO"
            replicates = {replicates}
            steps = 10
            overrides = ["output.snapshot_interval=0"]
        """, name=f"m{replicates}.toml")
        code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        res = subprocess.run(["/usr/bin/python3", "-c", code, str(caremarket_bin), "sweep", str(path), "-o",
                              str(tmp_path / f"m{replicates}"), "--workers", "1"], capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr
        return int(res.stdout)
    small, large = peak_kib(8), peak_kib(48)
    # Six times the runs: peak memory may grow by index and journal rows (bytes per run), not by runs.
    assert large < small * 1.15 + 4096, (small, large)


def test_emit_slurm_writes_a_ready_script(caremarket_bin, tmp_path):
    res = cli(caremarket_bin, "sweep", EXAMPLE, "-o", tmp_path / "cluster", "--emit-slurm", "--nodes", "4",
              "--tasks-per-node", "16", "--time", "01:30:00", "--seconds-per-run", "2")
    assert res.returncode == 0, res.stderr
    script = (tmp_path / "cluster" / "submit.sbatch").read_text()
    assert script.startswith("#!/bin/bash")
    for line in ["#SBATCH --nodes=4", "#SBATCH --ntasks-per-node=16", "#SBATCH --time=01:30:00",
                 "#SBATCH --cpus-per-task=1", "#SBATCH --mem-per-cpu=512M"]:
        assert line in script
    # The binary is named once, and can be swapped without editing the script.
    assert f'CAREMARKET="${{CAREMARKET:-{Path(caremarket_bin).resolve()}}}"' in script
    assert f'srun "$CAREMARKET" sweep {EXAMPLE} -o {(tmp_path / "cluster").resolve()}' in script
    assert "the job runs " + str(Path(caremarket_bin).resolve()) in res.stdout
    # 8 runs on 63 worker tasks: most would sit idle, and the user is told.
    assert "55 of 63 worker tasks would have no run" in res.stderr
    assert not (tmp_path / "cluster" / "runs").exists()  # emitting runs nothing


def test_emit_slurm_sizes_the_job_from_a_pilot_run(caremarket_bin, tmp_path):
    # No sizes given: one task per run and a coordinator on one node, a time from the pilot's
    # seconds (x 1.5, + 10 min), and memory from its peak (x 1.5, at least 512 MB).
    res = cli(caremarket_bin, "sweep", EXAMPLE, "-o", tmp_path / "cluster", "--emit-slurm")
    assert res.returncode == 0, res.stderr
    assert "timing one run" in res.stderr
    script = (tmp_path / "cluster" / "submit.sbatch").read_text()
    assert "#SBATCH --nodes=1" in script and "#SBATCH --ntasks-per-node=9" in script
    seconds = float(re.search(r"One run takes about ([0-9.e+]+) s on one core \(measured by a pilot run\)", script)[1])
    h, m, s = (int(v) for v in re.search(r"#SBATCH --time=(\d+):(\d+):(\d+)", script).groups())
    assert abs(h * 3600 + m * 60 + s - (seconds * 1.5 + 600)) <= 1.5
    assert int(re.search(r"#SBATCH --mem-per-cpu=(\d+)M", script)[1]) >= 512
    assert "would have no run" not in res.stderr
    assert not any((tmp_path / "cluster").glob("runs/*.h5"))  # the pilot's file is not kept
    # Many runs on a few tasks: the time grows with the rounds of runs each task takes.
    res = cli(caremarket_bin, "sweep", EXAMPLE, "-o", tmp_path / "c2", "--emit-slurm", "--nodes", "1",
              "--tasks-per-node", "3", "--seconds-per-run", "100")
    assert res.returncode == 0, res.stderr
    assert "#SBATCH --time=00:20:00" in (tmp_path / "c2" / "submit.sbatch").read_text()  # 4 rounds x 150 s + 600 s
    # 64 runs: 65 tasks on as few nodes as hold them, spread evenly (3 x 22), no idle warning.
    sixty_four = sweep_file(tmp_path, """
        [sweep]
        scenario = "SCENARIO"
        sampling = "latin_hypercube"
        samples = 64
        [[sweep.parameters]]
        key = "founding.coordinators"
        range = [0, 8]
    """)
    res = cli(caremarket_bin, "sweep", sixty_four, "-o", tmp_path / "c3", "--emit-slurm", "--seconds-per-run", "1")
    assert res.returncode == 0, res.stderr
    script = (tmp_path / "c3" / "submit.sbatch").read_text()
    assert "#SBATCH --nodes=3" in script and "#SBATCH --ntasks-per-node=22" in script
    assert "warning" not in res.stderr


def test_compare_of_a_policy_with_itself_is_exactly_zero(caremarket_bin, tmp_path):
    res = cli(caremarket_bin, "compare", REPO_ROOT / "tests/data/tiny.toml", "--policy", "collaborative",
              "--baseline-policy", "collaborative", "-n", "3", "--steps", "60", "-o", tmp_path / "self", "-q")
    assert res.returncode == 0, res.stderr
    with h5py.File(tmp_path / "self.h5", "r") as f:
        names = f["name"].asstr()[()].tolist()
        assert names[-1] == "cost_per_ascot_point"
        # No point is gained, so no cost per point gained: NaN, never a number from 0 / 0.
        assert all(np.isnan(f[column][-1]) for column in ("baseline", "policy", "difference", "ci_low", "ci_high"))
        for column in ("difference", "ci_low", "ci_high"):
            assert np.all(f[column][:-1] == 0), column
        assert int(f.attrs["replicates"]) == 3
    csv = (tmp_path / "self.csv").read_text().splitlines()
    assert csv[0].startswith("outcome,units,baseline,policy,difference,ci_low,ci_high")
    assert len(csv) > 10


def test_common_random_numbers_reduce_the_variance_of_differences(caremarket_bin, tmp_path):
    res = cli(caremarket_bin, "compare", REPO_ROOT / "tests/data/tiny.toml", "--policy", "direct_payments_plus",
              "-n", "8", "--steps", "80", "-o", tmp_path / "dp", "-q")
    assert res.returncode == 0, res.stderr
    index = datasets(tmp_path / "dp-runs" / "index.h5")
    arm = index["param_policy"]
    checked = 0
    for outcome in ["people_served", "hours_needed", "workers", "mean_wellbeing"]:
        values = index[f"last_year_{outcome}"]
        base, policy = values[arm == 0], values[arm == 1]
        paired = np.var(policy - base, ddof=1)
        # Unpaired: the same runs, with each policy run set against a different seed's baseline.
        unpaired = np.var(policy - np.roll(base, 1), ddof=1)
        assert paired < unpaired, (outcome, paired, unpaired)
        checked += 1
    assert checked == 4


def test_cost_per_ascot_point_is_the_ratio_of_paired_differences(caremarket_pkg):
    """The derived rows of a comparison (MODEL.md §18) against a hand computation: ASCOT points of
    everyone with need = 24 x wellbeing_all x the baseline run's people_needing_care (in both arms);
    cost per point gained = the mean
    paired difference of yearly spend over that of points, with a delta-method 95% interval."""
    from scipy import stats

    core = caremarket_pkg._core
    names = [name for name, _, _ in core.metric_catalogue()]
    rng = np.random.default_rng(3)
    n = 6
    base = rng.uniform(1, 2, size=(n, len(names)))
    pol = base.copy()
    k_w, k_n, k_s = names.index("wellbeing_all"), names.index("people_needing_care"), names.index("council_spend")
    base[:, k_w], base[:, k_n], base[:, k_s] = 0.75, 10_000, 2.0e6
    pol[:, k_w] = 0.75 + rng.uniform(0.004, 0.008, n)  # about a point for one person in ten
    pol[:, k_n] = 9_000  # fewer with need (some returned to independence): counted at the baseline's number
    pol[:, k_s] = 2.0e6 + rng.uniform(2e4, 4e4, n)
    rows = {r["outcome"]: r for r in core.paired_statistics(base.tolist(), pol.tolist())}

    points = 24 * pol[:, k_w] * base[:, k_n] - 24 * base[:, k_w] * base[:, k_n]
    cost = 52 * (pol[:, k_s] - base[:, k_s])
    assert rows["ascot_points_all"]["difference"] == pytest.approx(points.mean(), rel=1e-12)
    ratio = cost.mean() / points.mean()
    variance = (cost.var(ddof=1) - 2 * ratio * np.cov(cost, points)[0, 1] + ratio ** 2 * points.var(ddof=1)) \
        / (n * points.mean() ** 2)
    half = stats.t.ppf(0.975, n - 1) * np.sqrt(variance)
    row = rows["cost_per_ascot_point"]
    assert row["difference"] == pytest.approx(ratio, rel=1e-9)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ratio - half, ratio + half), rel=1e-9)
    assert np.isnan(row["baseline"]) and np.isnan(row["policy"])

    # Points lost, or gained within noise: no cost per point (NaN), whatever the spend did.
    pol[:, k_w] = 0.75 + rng.normal(0, 0.01, n)
    pol[0, k_w], pol[1, k_w] = 0.74, 0.76
    rows = {r["outcome"]: r for r in core.paired_statistics(base.tolist(), pol.tolist())}
    assert rows["ascot_points_all"]["ci_low"] <= 0
    assert np.isnan(rows["cost_per_ascot_point"]["difference"])


def test_compare_prints_the_table(caremarket_bin, tmp_path):
    res = cli(caremarket_bin, "compare", REPO_ROOT / "tests/data/tiny.toml", "--policy", "micro_enterprise_support",
              "-n", "4", "--steps", "80", "-o", tmp_path / "m", "-q")
    assert res.returncode == 0, res.stderr
    assert "4 paired replicates (common random numbers)" in res.stdout
    line = next(l for l in res.stdout.splitlines() if l.startswith("micro_enterprises"))
    assert line.rstrip().endswith("*"), line  # support raises micro-enterprises beyond chance


def test_python_sweep_and_compare_match_the_command_line(caremarket_bin, caremarket_pkg, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    cli(caremarket_bin, "sweep", EXAMPLE, "-o", tmp_path / "cli", "-q")
    frame = caremarket_pkg.sweep(EXAMPLE, tmp_path / "py")
    with ThreadPoolExecutor(2) as pool:
        pooled = caremarket_pkg.sweep(EXAMPLE, tmp_path / "pool", executor=pool)
    cli_index = datasets(tmp_path / "cli" / "index.h5")
    assert frame.final_workers.tolist() == cli_index["final_workers"].tolist()
    assert pooled.final_workers.tolist() == cli_index["final_workers"].tolist()
    assert (frame.status == "done").all()
    cli(caremarket_bin, "compare", REPO_ROOT / "tests/data/tiny.toml", "--policy", "collaborative", "-n", "3",
        "--steps", "60", "-o", tmp_path / "c", "-q")
    table = caremarket_pkg.compare(REPO_ROOT / "tests/data/tiny.toml", "collaborative", replicates=3, steps=60,
                                   output=tmp_path / "pc")
    with h5py.File(tmp_path / "c.h5", "r") as f:
        names = f["name"].asstr()[()].tolist()
        np.testing.assert_allclose(table.loc[names, "difference"], f["difference"][()], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(table.loc[names, "ci_high"], f["ci_high"][()], rtol=1e-12, atol=1e-12)


# distributed 2022.12 (Debian bookworm) calls tornado's IOLoop.make_current, deprecated in tornado 6.2.
@pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")
def test_a_dask_client_runs_a_sweep_like_the_command_line(caremarket_bin, caremarket_pkg, tmp_path, monkeypatch):
    """A dask.distributed Client is an executor like ProcessPoolExecutor: each run is one task, run
    in a worker process, and the index and run files equal those of `caremarket sweep`."""
    import pandas as pd

    try:
        import distributed
    except ImportError:
        pytest.fail("dask.distributed is missing (python3-distributed): run scripts/install-deps.sh", pytrace=False)

    # The workers are new Python processes and must import caremarket from this build. Workers that
    # LocalCluster spawns get this process's sys.path, but a worker started by `dask worker` needs
    # PYTHONPATH, so the test sets it as a cluster would (restored afterwards by monkeypatch).
    package_dir = str(Path(caremarket_pkg.__file__).resolve().parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (package_dir, os.environ.get("PYTHONPATH")) if p))
    path = tmp_path / "small.toml"
    path.write_text(textwrap.dedent(f"""
        [sweep]
        name = "dask"
        scenario = "{REPO_ROOT / 'configs/scenarios/somerset.toml'}"
        steps = 8
        replicates = 2
        root_seed = 2026
        overrides = ["output.snapshot_interval=0"]
        [[sweep.parameters]]
        key = "commissioning.wage_floor"
        values = [0.0, 13.50]
    """))
    res = cli(caremarket_bin, "sweep", path, "-o", tmp_path / "cli", "-q")
    assert res.returncode == 0, res.stderr
    tiny = REPO_ROOT / "tests/data/tiny.toml"
    local_table = caremarket_pkg.compare(tiny, "collaborative", replicates=2, steps=8, output=tmp_path / "cmp-local")

    # Everything on the loopback interface: the scheduler, the workers and their HTTP servers (which
    # start even without a dashboard, on all interfaces unless given an address), on free ports.
    loopback = {"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0", "worker_dashboard_address": "127.0.0.1:0"}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, **loopback,
                                  local_directory=str(tmp_path / "workers")) as cluster, \
            distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as tasks:
            frame = caremarket_pkg.sweep(path, tmp_path / "dask", executor=client)
            table = caremarket_pkg.compare(tiny, "collaborative", replicates=2, steps=8, output=tmp_path / "cmp-dask",
                                           executor=client)
        runs = [task for task in tasks.data if task["key"].startswith("_run_one-")]
        worker_pids = set(client.run(os.getpid).values())

    # Every run was a task on a worker process (4 sweep runs, 2 x 2 comparison runs), none in this one.
    assert len(runs) == 8, [task["key"] for task in tasks.data]
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    assert (frame.status == "done").all() and len(frame) == 4
    # The index as a DataFrame (seeds, parameters, status, files, every final_ and last_year_ outcome)
    # and as datasets, and every run file, exactly as the command line wrote them.
    pd.testing.assert_frame_equal(frame, caremarket_pkg.read_index(tmp_path / "cli"), check_exact=True)
    assert same(datasets(tmp_path / "dask" / "index.h5"), datasets(tmp_path / "cli" / "index.h5"))
    names = sorted(p.name for p in (tmp_path / "cli" / "runs").glob("*.h5"))
    assert names == sorted(p.name for p in (tmp_path / "dask" / "runs").glob("*.h5")) and len(names) == 4
    for name in names:
        assert same(datasets(tmp_path / "dask" / "runs" / name), datasets(tmp_path / "cli" / "runs" / name)), name
    # The comparison: the same table, number for number, as without an executor.
    assert table.index.tolist()[-2:] == ["ascot_points_all", "cost_per_ascot_point"]
    pd.testing.assert_frame_equal(table, local_table, check_exact=True)


def test_python_region_values_equal_the_sweep_index(caremarket_bin, caremarket_pkg, tmp_path):
    """caremarket's region aggregation (sums and weighted means over councils) is the C++ one."""
    from caremarket._region import region

    path = sweep_file(tmp_path, """
        [sweep]
        scenario = "SCENARIO"
        steps = 30
    """)
    assert cli(caremarket_bin, "sweep", path, "-o", tmp_path / "out", "-q").returncode == 0
    index = datasets(tmp_path / "out" / "index.h5")
    final = region(caremarket_pkg.open(tmp_path / "out" / "runs" / "p00000_r000.h5").timeseries).iloc[-1]
    checked = 0
    for name in final.index:
        np.testing.assert_allclose(final[name], index[f"final_{name}"][0], rtol=1e-12, atol=1e-9, err_msg=name)
        checked += 1
    assert checked == len(caremarket_pkg._core.metric_catalogue())  # every series of the catalogue


# --- Hardening (issue 12): no crash, no clobbered file, no silently ignored input -----------------

MPIRUN = ["mpirun", *(["--allow-run-as-root"] if os.geteuid() == 0 else []), "--oversubscribe"]


def journal_done(out: Path) -> int:
    journal = out / "journal.tsv"
    return journal.read_text().count("\tdone\t") if journal.exists() else 0


def wait_for_done(out: Path, runs: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while journal_done(out) < runs:
        assert proc.poll() is None, "the sweep ended before it was interrupted"
        assert time.monotonic() < deadline, f"fewer than {runs} runs finished in {seconds} s"
        time.sleep(0.05)


def journal_records(out: Path) -> list[list[str]]:
    return [l.split("\t") for l in (out / "journal.tsv").read_text().splitlines() if l and not l.startswith("#")]


def hold_lock(folder: Path) -> int:
    """Takes the folder's lock as another sweep would (flock on DIR/.lock holding the pid)."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


LONG_SWEEP = """
    [sweep]
    scenario = "SCENARIO"
    replicates = 12
    steps = 150
"""


@pytest.mark.parametrize("body, counts", [
    ("""
        [[sweep.parameters]]
        key = "labour.nlw"
        range = [10.0, 14.0]
        points = 100000
        [[sweep.parameters]]
        key = "labour.outside_wage"
        range = [10.0, 14.0]
        points = 100000
     """, "100000 x 100000 grid points x 1 replicate(s) = 10,000,000,000 runs"),
    ("""
        replicates = 100000
        [[sweep.parameters]]
        key = "labour.nlw"
        range = [10.0, 14.0]
        points = 100000
        [[sweep.parameters]]
        key = "labour.outside_wage"
        range = [10.0, 14.0]
        points = 100000
        [[sweep.parameters]]
        key = "founding.coordinators"
        range = [0, 8]
        points = 100000
     """, "100000 x 100000 x 100000 grid points x 100000 replicate(s) = more than 18,446,744,073,709,551,615 runs"),
    ("""
        sampling = "latin_hypercube"
        samples = 10000000
        [[sweep.parameters]]
        key = "labour.nlw"
        range = [10.0, 14.0]
     """, "10000000 samples x 1 replicate(s) = 10,000,000 runs"),
    ("""
        replicates = 1000
        [[sweep.parameters]]
        key = "labour.nlw"
        range = [10.0, 14.0]
        points = 1001
     """, "1001 grid points x 1000 replicate(s) = 1,001,000 runs"),
], ids=["grid-1e10", "grid-overflows-64-bits", "lhs-1e7", "just-over"])
def test_a_sweep_over_the_run_limit_is_a_config_error(caremarket_bin, tmp_path, body, counts):
    path = sweep_file(tmp_path, '[sweep]\nscenario = "SCENARIO"\n' + textwrap.dedent(body))

    def limit_memory():  # without the check, expanding the design exhausts memory instead
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    res = subprocess.run([str(caremarket_bin), "sweep", str(path), "--dry-run"], capture_output=True, text=True,
                         timeout=60, preexec_fn=limit_memory)
    assert res.returncode == 2, res.stderr[-2000:]
    assert res.stdout == ""
    assert f"{path}: sweep has {counts}; a sweep may have at most 1,000,000 runs" in res.stderr


def test_a_second_sweep_into_a_folder_in_use_is_refused(caremarket_bin, tmp_path):
    path = sweep_file(tmp_path, LONG_SWEEP)
    out = tmp_path / "out"
    first = subprocess.Popen([str(caremarket_bin), "sweep", str(path), "-o", str(out), "--workers", "1", "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_done(out, 1, first)
        res = cli(caremarket_bin, "sweep", path, "-o", out)
        assert res.returncode == 2, res.stderr
        assert res.stderr == f"caremarket: error: {out} is in use by another sweep (pid {first.pid}); wait for it or stop it\n"
        assert res.stdout == ""
        assert first.poll() is None
    finally:
        first.kill()  # SIGKILL: the kernel drops the lock, and the next sweep may start
        first.communicate()
    done_before = journal_done(out)
    assert 1 <= done_before < 12
    res = cli(caremarket_bin, "sweep", path, "-o", out, "-q")
    assert res.returncode == 0, res.stderr
    assert f"12 done ({done_before} already done before)" in res.stdout
    assert sorted(int(r[0]) for r in journal_records(out) if r[1] == "done") == list(range(12))


def test_a_second_compare_with_the_same_prefix_is_refused(caremarket_bin, tmp_path):
    prefix = tmp_path / "cmp"
    args = ["compare", REPO_ROOT / "tests/data/tiny.toml", "-p", "collaborative", "-n", "6", "--steps", "150",
            "--workers", "1", "-o", prefix, "-q"]
    first = subprocess.Popen([str(caremarket_bin), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_done(Path(f"{prefix}-runs"), 1, first)
        res = cli(caremarket_bin, *args)
        assert res.returncode == 2, res.stderr
        assert res.stderr == (f"caremarket: error: {prefix}-runs is in use by another sweep (pid {first.pid}); "
                              "wait for it or stop it\n")
    finally:
        stdout, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert "6 paired replicates" in stdout
    assert (tmp_path / "cmp.csv").is_file() and (tmp_path / "cmp.h5").is_file()
    assert not list(tmp_path.glob("cmp.*.tmp*"))


def test_an_mpi_sweep_into_a_folder_in_use_is_refused_without_hanging(caremarket_bin, tmp_path):
    assert shutil.which("mpirun"), "OpenMPI's mpirun is missing: run scripts/install-deps.sh"
    path = sweep_file(tmp_path, """
        [sweep]
        scenario = "SCENARIO"
        replicates = 2
        steps = 10
    """)
    out = tmp_path / "out"
    fd = hold_lock(out)
    try:
        res = subprocess.run([*MPIRUN, "-n", "3", str(caremarket_bin), "sweep", str(path), "-o", str(out)],
                             capture_output=True, text=True, timeout=120)
    finally:
        os.close(fd)
    assert res.returncode == 2, res.stdout + res.stderr
    assert f"caremarket: error: {out} is in use by another sweep (pid {os.getpid()}); wait for it or stop it" in res.stderr
    assert not (out / "runs").exists() or not list((out / "runs").iterdir())
    # Released: the same command now runs, with only rank 0 locking the folder.
    res = subprocess.run([*MPIRUN, "-n", "3", str(caremarket_bin), "sweep", str(path), "-o", str(out), "-q"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert datasets(out / "index.h5")["status"].tolist() == [1, 1]


def test_local_sweep_stopped_by_a_signal_leaves_unstarted_runs_pending(caremarket_bin, tmp_path):
    path = sweep_file(tmp_path, LONG_SWEEP)
    out = tmp_path / "out"
    proc = subprocess.Popen([str(caremarket_bin), "sweep", str(path), "-o", str(out), "--workers", "1", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_done(out, 2, proc)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    records = journal_records(out)
    assert all(r[1] == "done" for r in records), records  # the run in flight was not recorded as failed
    status = datasets(out / "index.h5")["status"].tolist()
    assert set(status) <= {0, 1} and status.count(1) == len(records) and status.count(0) >= 1, status
    assert f"{12 - len(records)} not run" in stdout
    res = cli(caremarket_bin, "sweep", path, "-o", out, "-q")
    assert res.returncode == 0, res.stderr
    assert datasets(out / "index.h5")["status"].tolist() == [1] * 12


def mpi_rank_pids(launcher: subprocess.Popen) -> dict[int, int]:
    """The ranks mpirun started on this machine, by rank (read from /proc: parent pid and environment)."""
    ranks = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) != launcher.pid:
                continue
            env = (entry / "environ").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        for var in env:
            if var.startswith(b"OMPI_COMM_WORLD_RANK="):
                ranks[int(var.split(b"=", 1)[1])] = int(entry.name)
    return ranks


@pytest.mark.parametrize("target", ["one worker rank", "every rank", "mpirun"])
def test_mpi_sweep_stopped_by_a_signal_leaves_runs_pending_and_a_rerun_completes(caremarket_bin, tmp_path, target):
    assert shutil.which("mpirun"), "OpenMPI's mpirun is missing: run scripts/install-deps.sh"
    path = sweep_file(tmp_path, LONG_SWEEP)
    out = tmp_path / "out"
    proc = subprocess.Popen([*MPIRUN, "-n", "3", str(caremarket_bin), "sweep", str(path), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_done(out, 2, proc)
        ranks = mpi_rank_pids(proc)
        assert sorted(ranks) == [0, 1, 2], ranks
        pids = {"one worker rank": [ranks[1]], "every rank": list(ranks.values()), "mpirun": [proc.pid]}[target]
        for pid in pids:
            os.kill(pid, signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    # Ranks stop taking runs: none is marked failed ("cancelled after 0 weeks"), the rest stay pending.
    records = journal_records(out)
    assert all(r[1] == "done" for r in records), [r[:3] for r in records]
    assert len(records) < 12
    status = datasets(out / "index.h5")["status"].tolist()
    assert set(status) <= {0, 1} and status.count(0) >= 1, status
    assert "FAILED" not in stderr
    if target != "mpirun":  # mpirun itself, when signalled, exits 1 whatever the ranks return
        assert proc.returncode == 128 + signal.SIGTERM, stdout + stderr
        assert f"{12 - len(records)} not run" in stdout
    else:
        assert proc.returncode != 0
    res = subprocess.run([*MPIRUN, "-n", "3", str(caremarket_bin), "sweep", str(path), "-o", str(out), "-q"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 failed" in res.stdout
    assert datasets(out / "index.h5")["status"].tolist() == [1] * 12


SMALL_SWEEP = """
    [sweep]
    scenario = "SCENARIO"
    replicates = 3
    steps = 10
"""


@pytest.mark.parametrize("bad", ["nan", "1e999", "-inf", "12abc", ""])
def test_a_journal_value_that_is_not_a_finite_number_reruns_its_run(caremarket_bin, tmp_path, bad):
    path = sweep_file(tmp_path, SMALL_SWEEP)
    out = tmp_path / "out"
    assert cli(caremarket_bin, "sweep", path, "-o", out, "-q").returncode == 0
    before = datasets(out / "index.h5")
    journal = out / "journal.tsv"
    lines = journal.read_text().splitlines(keepends=True)
    for i, line in enumerate(lines):
        fields = line.split("\t")
        if fields[0] == "1":
            fields[4] = bad  # the second outcome of run 1
            lines[i] = "\t".join(fields)
    journal.write_text("".join(lines))
    res = cli(caremarket_bin, "sweep", path, "-o", out, "-q")
    assert res.returncode == 0, res.stderr
    assert "3 done (2 already done before)" in res.stdout
    assert f'run 1 (runs/p00000_r001.h5): outcome value "{bad}" is not a finite number; the run will be run again' in res.stderr
    after = datasets(out / "index.h5")
    assert all(np.isfinite(after[k]).all() for k in after if k.startswith(("final_", "last_year_")))
    assert same(before, after)  # the redone run gave the same numbers as the first time
    # Said once: the run's new line supersedes the bad one.
    res = cli(caremarket_bin, "sweep", path, "-o", out, "-q")
    assert "3 done (3 already done before)" in res.stdout and "warning" not in res.stderr, res.stderr


def test_a_run_file_swapped_for_another_is_run_again(caremarket_bin, tmp_path):
    path = sweep_file(tmp_path, """
        [sweep]
        scenario = "SCENARIO"
        replicates = 2
        steps = 10
        [[sweep.parameters]]
        key = "labour.nlw"
        values = [12.0, 13.0]
    """)
    out = tmp_path / "out"
    assert cli(caremarket_bin, "sweep", path, "-o", out, "-q").returncode == 0
    runs = out / "runs"
    index = datasets(out / "index.h5")
    originals = {p.name: datasets(p) for p in runs.glob("*.h5")}
    # Another replicate's file (another seed and replicate); the same seed and replicate at another
    # point (common random numbers), so only the configuration differs; a file of another format.
    shutil.copy(runs / "p00000_r000.h5", runs / "p00000_r001.h5")
    shutil.copy(runs / "p00000_r000.h5", runs / "p00001_r000.h5")
    shutil.copy(out / "index.h5", runs / "p00001_r001.h5")
    res = cli(caremarket_bin, "sweep", path, "-o", out, "-q")
    assert res.returncode == 0, res.stderr
    assert "4 done (1 already done before)" in res.stdout
    assert "run 1 (runs/p00000_r001.h5) is marked done in the journal, but its file has seed" in res.stderr
    assert "run 2 (runs/p00001_r000.h5) is marked done in the journal, but its file was run with another configuration" in res.stderr
    assert "run 3 (runs/p00001_r001.h5) is marked done in the journal, but its file is not caremarket run output" in res.stderr
    for i, name in enumerate(f.split("/")[1] for f in index["file"].astype(str)):
        with h5py.File(runs / name, "r") as f:
            assert (int(f.attrs["seed"]), int(f.attrs["replicate"])) == (index["seed"][i], index["replicate"][i])
        assert same(datasets(runs / name), originals[name]), name
    assert same(datasets(out / "index.h5"), index)


def special_file(path: Path, kind: str) -> None:
    if kind == "file":
        path.write_text("keep me\n")
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:  # a character device like /dev/null, made inside the test's folder
        import stat

        try:
            os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("creating a device node needs CAP_MKNOD")


def unchanged(path: Path, kind: str) -> bool:
    import stat

    mode = os.lstat(path).st_mode
    return {"file": stat.S_ISREG(mode) and path.read_text() == "keep me\n", "folder": stat.S_ISDIR(mode),
            "fifo": stat.S_ISFIFO(mode), "device": stat.S_ISCHR(mode)}[kind]


@pytest.mark.parametrize("kind", ["file", "fifo", "device"])
def test_sweep_refuses_an_output_that_is_not_a_folder(caremarket_bin, tmp_path, kind):
    path = sweep_file(tmp_path, SMALL_SWEEP)
    out = tmp_path / "out"
    special_file(out, kind)
    res = cli(caremarket_bin, "sweep", path, "-o", out, timeout=60)
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith(f"caremarket: error: {out} exists and is a ") and "not a folder" in res.stderr
    assert unchanged(out, kind)


@pytest.mark.parametrize("ext", ["csv", "h5"])
@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_compare_refuses_outputs_that_are_not_regular_files(caremarket_bin, tmp_path, kind, ext):
    target = tmp_path / f"cmp.{ext}"
    special_file(target, kind)
    res = cli(caremarket_bin, "compare", REPO_ROOT / "tests/data/tiny.toml", "-p", "collaborative", "-n", "2",
              "--steps", "5", "-o", tmp_path / "cmp", "-q", timeout=60)
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith(f"caremarket: error: {target} exists and is a ") and "not a regular file" in res.stderr
    assert unchanged(target, kind)
    assert not (tmp_path / "cmp-runs").exists()  # refused before running anything


@pytest.mark.parametrize("command", ["sweep", "compare"])
def test_an_empty_output_path_is_an_error_not_the_default(caremarket_bin, tmp_path, command):
    args = ([sweep_file(tmp_path, SMALL_SWEEP)] if command == "sweep" else
            [REPO_ROOT / "tests/data/tiny.toml", "-p", "collaborative", "-n", "2", "--steps", "5"])
    work = tmp_path / "cwd"
    work.mkdir()
    res = cli(caremarket_bin, command, *args, "-o", "", "-q", cwd=work, timeout=60)
    assert res.returncode == 2, res.stderr
    assert "--output: an empty path is not an output" in res.stderr
    assert list(work.iterdir()) == []
