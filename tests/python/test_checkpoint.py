"""Checkpoints (`caremarket run --checkpoint-every N`, `--resume CHECKPOINT`; docs/checkpoint-format.md).

A run stopped at a checkpoint, by Ctrl-C or by `kill -9` at any moment, and resumed (with any
thread count) writes the file the run that never stopped writes: every dataset and every attribute
but timing and host provenance. A checkpoint that cannot continue the run is refused with the
reason, and nothing is overwritten.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import EXIT_BAD_INPUT, EXIT_OK, _wait_for_binary

# Attributes that say when, where and how fast a file was written, or that a run was resumed.
PROVENANCE = {
    "start_time",
    "end_time",
    "wall_seconds",
    "warmup_seconds",
    "output_seconds",
    "threads",
    "resumed_from",
    "resumed_at_step",
    "resumed_time",
}


def differences(a: Path, b: Path) -> list[str]:
    """Every dataset and attribute in which two output files differ (provenance above aside)."""
    found: list[str] = []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:

        def attrs(x, y, path):
            for key in sorted(set(x.attrs) | set(y.attrs)):
                if key in PROVENANCE or key in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    continue
                if key not in x.attrs or key not in y.attrs:
                    found.append(f"{path}@{key} in one file only")
                elif not np.array_equal(np.asarray(x.attrs[key]), np.asarray(y.attrs[key])):
                    found.append(f"{path}@{key}")

        def walk(x, y, path):
            attrs(x, y, path or "/")
            if isinstance(x, h5py.Dataset):
                if x.shape != y.shape or not np.array_equal(x[()], y[()], equal_nan=x.dtype.kind == "f"):
                    found.append(f"{path} (data)")
                return
            for key in sorted(set(x) | set(y)):
                if key not in x or key not in y:
                    found.append(f"{path}/{key} in one file only")
                else:
                    walk(x[key], y[key], f"{path}/{key}")

        walk(fa, fb, "")
    return found


@pytest.fixture(scope="module")
def straight(caremarket_bin, tmp_path_factory):
    """The runs that never stopped, one per scenario, 520 weeks on two threads."""
    root = tmp_path_factory.mktemp("straight")
    made = {}

    def get(scenario: str) -> Path:
        if scenario not in made:
            out = root / f"{scenario}.h5"
            proc = subprocess.run([caremarket_bin, "run", scenario, "--steps", "520", "--threads", "2", "-q", "-o", out],
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == EXIT_OK, proc.stderr
            made[scenario] = out
        return made[scenario]

    return get


@pytest.mark.parametrize("scenario", ["somerset", "west_midlands"])
def test_stopped_at_a_checkpoint_and_resumed_on_another_thread_count_equals_the_straight_run(
    cli, straight, tmp_path, scenario
):
    # Checkpointing changes nothing, and a completed run removes its checkpoint.
    out = tmp_path / "run.h5"
    first = cli("run", scenario, "--steps", "520", "--threads", "2", "-q", "-o", out, "--checkpoint-every", "260",
                "--checkpoint", tmp_path / "half.checkpoint", timeout=300)
    assert first.returncode == EXIT_OK, str(first)
    assert not (tmp_path / "half.checkpoint").exists(), "a completed run keeps no checkpoint"
    assert differences(straight(scenario), out) == [], "checkpointing changed the run"

    # 520 weeks asked, stopped at week 260 with its checkpoint, resumed on one thread.
    ckpt = tmp_path / "at260.checkpoint"
    stopped = cli("run", scenario, "--steps", "520", "--threads", "2", "-q", "-o", tmp_path / "stopped.h5",
                  "--checkpoint-every", "260", "--checkpoint", ckpt, "--stop-after", "260", timeout=300)
    assert stopped.returncode == EXIT_OK, str(stopped)
    assert ckpt.is_file(), f"no checkpoint at week 260\n{stopped}"
    with h5py.File(ckpt, "r") as f:
        assert f.attrs["week"] == 260
        assert f.attrs["format_name"] == "caremarket-checkpoint"
    resumed = cli("run", "--resume", ckpt, "--threads", "1", "-q", timeout=300)
    assert resumed.returncode == EXIT_OK, str(resumed)
    result = tmp_path / "stopped.h5"
    assert differences(straight(scenario), result) == []
    with h5py.File(result, "r") as f:
        assert f.attrs["resumed_at_step"] == 260
        assert f.attrs["complete"] == 1
        assert f.attrs["threads"] == 1
    assert not ckpt.exists(), "the resumed run went on checkpointing to the same file and removed it when complete"


def test_killed_at_random_moments_and_resumed_each_time_equals_the_straight_run(caremarket_bin, straight, tmp_path):
    # kill -9 at random moments (while stepping, while writing a checkpoint or the output), then
    # resume from whatever checkpoint is there, again and again until the run completes.
    out = tmp_path / "killed.h5"
    ckpt = tmp_path / "killed.h5.checkpoint"
    rng = random.Random(17)
    args = [caremarket_bin, "run", "somerset", "--steps", "520", "-q", "-o", out, "--checkpoint-every", "13"]
    kills = 0
    # A resume takes about 0.3 s before its first week (building the market, reading the state) on a
    # loaded 2-core machine: kills up to 0.8 s in let most attempts write a checkpoint or two. On a
    # machine loaded more heavily still, attempts can die before writing one, again and again: after
    # each such attempt the window doubles (up to 6.4 s), so the run always gets on.
    attempts = 60
    stalled = 0  # attempts in a row killed before the checkpoint changed

    def checkpoint_state() -> tuple[int, int] | None:
        try:
            st = ckpt.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def complete() -> bool:
        if not out.is_file():
            return False
        with h5py.File(out, "r") as f:
            return int(f.attrs["complete"]) == 1

    for attempt in range(attempts):
        if ckpt.is_file():
            args = [caremarket_bin, "run", "--resume", ckpt, "--threads", str(rng.choice([1, 2])), "-q"]
        elif attempt > 0 and complete():
            break  # killed after it completed and removed its checkpoint
        _wait_for_binary(Path(caremarket_bin))
        before = checkpoint_state()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            proc.wait(timeout=rng.uniform(0.05, 0.8) * 2 ** min(stalled, 3))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            stalled = stalled + 1 if checkpoint_state() == before else 0
            continue
        assert proc.returncode == EXIT_OK, proc.stderr.read()
        break
    else:
        pytest.fail(f"the run never completed in {attempts} attempts")
    assert kills >= 2, "the run was killed fewer than twice: the test tested little"
    assert differences(straight("somerset"), out) == []
    leftovers = sorted(p.name for p in tmp_path.iterdir() if ".tmp-" in p.name)
    assert leftovers == [], f"temporary files of killed runs left behind: {leftovers}"


def test_interrupted_run_writes_a_checkpoint_at_the_week_it_stopped(caremarket_bin, cli, straight, tmp_path):
    out = tmp_path / "int.h5"
    proc = subprocess.Popen([caremarket_bin, "run", "somerset", "--steps", "520", "-q", "-o", out,
                             "--checkpoint-every", "100"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ckpt = Path(str(out) + ".checkpoint")
    deadline = time.monotonic() + 60
    while not ckpt.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == EXIT_OK:
        pytest.skip("the run finished before it could be interrupted")  # a very fast machine
    assert proc.returncode == 130, err
    assert "--resume" in err, err
    with h5py.File(ckpt, "r") as f:
        week = int(f.attrs["week"])
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 0
        assert f.attrs["steps_completed"] == week, "the checkpoint is not at the week the run stopped"
    resumed = cli("run", "--resume", ckpt, "-q", timeout=300)
    assert resumed.returncode == EXIT_OK, str(resumed)
    assert differences(straight("somerset"), out) == []


@pytest.fixture(scope="module")
def checkpoint(caremarket_bin, tmp_path_factory) -> Path:
    """A checkpoint of Somerset at week 30 (of 60)."""
    root = tmp_path_factory.mktemp("ckpt")
    ckpt = root / "s.checkpoint"
    proc = subprocess.run([caremarket_bin, "run", "somerset", "--steps", "60", "-q", "-o", root / "s.h5",
                           "--checkpoint-every", "30", "--checkpoint", ckpt, "--stop-after", "30"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_OK and ckpt.is_file(), proc.stderr
    return ckpt


def refused(cli, tmp_path, ckpt, *extra) -> str:
    """Resumes `ckpt` onto an existing output file: it must be refused (exit 2) and leave the file."""
    out = tmp_path / "existing.h5"
    out.write_bytes(b"the user's file")
    result = cli("run", "--resume", ckpt, "-o", out, "-q", *extra)
    assert result.returncode == EXIT_BAD_INPUT, str(result)
    assert out.read_bytes() == b"the user's file", "a refused checkpoint overwrote the output"
    assert "Traceback" not in result.stderr and "terminate" not in result.stderr
    return result.stderr


def test_a_truncated_checkpoint_is_refused(cli, checkpoint, tmp_path):
    data = checkpoint.read_bytes()
    for keep in (0, 100, len(data) // 2, len(data) - 1):
        cut = tmp_path / f"cut{keep}.checkpoint"
        cut.write_bytes(data[:keep])
        err = refused(cli, tmp_path, cut)
        assert str(cut) in err and ("truncated" in err or "damaged" in err), err


def test_a_checkpoint_of_another_format_version_or_build_is_refused(cli, checkpoint, tmp_path):
    for key, value, words in [("format_version", "0.9", "format version 0.9"),
                              ("git_commit", "0123abc", "the build that wrote it"),
                              ("format_name", "caremarket", "not a caremarket checkpoint")]:
        other = tmp_path / f"{key}.checkpoint"
        shutil.copy(checkpoint, other)
        with h5py.File(other, "r+") as f:
            f.attrs[key] = value
        assert words in refused(cli, tmp_path, other)


def test_a_checkpoint_of_another_config_seed_or_replicate_is_refused(cli, checkpoint, tmp_path):
    assert "another config" in refused(cli, tmp_path, checkpoint, "west_midlands")
    assert "another config" in refused(cli, tmp_path, checkpoint, "somerset", "--set", "labour.nlw=13")
    assert "seed" in refused(cli, tmp_path, checkpoint, "--seed", "99")
    assert "replicate" in refused(cli, tmp_path, checkpoint, "--replicate", "4")
    assert "--steps must be more" in refused(cli, tmp_path, checkpoint, "--steps", "20")


def test_a_checkpoint_path_that_is_not_a_regular_file_is_refused(cli, tmp_path):
    assert "not a regular file" in refused(cli, tmp_path, tmp_path)
    assert "does not exist" in refused(cli, tmp_path, tmp_path / "missing.checkpoint")
    text = tmp_path / "text.checkpoint"
    text.write_text("not hdf5")
    assert "not an HDF5 file" in refused(cli, tmp_path, text)


def test_resuming_with_the_checkpoints_own_config_and_seed_given_again_works(cli, checkpoint, tmp_path):
    out = tmp_path / "again.h5"
    result = cli("run", "somerset", "--seed", "1", "--resume", checkpoint, "-o", out, "-q")
    assert result.returncode == EXIT_OK, str(result)
    assert checkpoint.is_file(), "resuming to another output must not remove the checkpoint it read"


# --- compare --from-state -------------------------------------------------------------------------
STATE_WEEK = 100


@pytest.fixture(scope="module")
def state(caremarket_bin, tmp_path_factory) -> Path:
    """Somerset's state at week 100 of a 200-week run."""
    root = tmp_path_factory.mktemp("state")
    ckpt = root / "base.checkpoint"
    proc = subprocess.run([caremarket_bin, "run", "somerset", "--steps", "200", "-q", "-o", root / "base.h5",
                           "--checkpoint", ckpt, "--stop-after", str(STATE_WEEK)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_OK and ckpt.is_file(), proc.stderr
    return ckpt


@pytest.fixture(scope="module")
def compared(caremarket_bin, state, tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    prefix = root / "cmp"
    proc = subprocess.run([caremarket_bin, "compare", "--from-state", state, "-p", "collaborative", "-n", "3",
                           "--steps", "60", "-o", prefix, "-q"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == EXIT_OK, proc.stderr
    return prefix, proc


def test_compare_from_a_state_starts_every_run_from_it_and_says_so(compared, state):
    prefix, proc = compared
    assert f"from the state at week {STATE_WEEK}" in proc.stdout
    with h5py.File(str(prefix) + ".h5", "r") as f:
        assert f.attrs["from_state_week"] == STATE_WEEK
        assert str(state) in f.attrs["from_state"]
    runs = sorted((Path(str(prefix) + "-runs") / "runs").glob("*.h5"))
    assert len(runs) == 6
    with h5py.File(runs[0], "r") as f:
        history = f["people_served"][: STATE_WEEK + 1]
    for run in runs:
        with h5py.File(run, "r") as f:
            assert f.attrs["resumed_at_step"] == STATE_WEEK
            assert f.attrs["steps_completed"] == STATE_WEEK + 60
            np.testing.assert_array_equal(f["people_served"][: STATE_WEEK + 1], history, err_msg=str(run))
    # Replicates differ after the state; the arms of one replicate share its streams.
    with h5py.File(runs[0], "r") as a, h5py.File(runs[1], "r") as b:
        assert not np.array_equal(a["people_served"][()], b["people_served"][()])


def test_compare_from_a_state_replicate_0_goes_on_as_the_run_that_wrote_the_state(caremarket_bin, cli, compared, state,
                                                                                 tmp_path):
    # The baseline arm's replicate 0 is the saved run going on; the policy arm's is the run with
    # the policy dated the state's next week.
    prefix, _ = compared
    runs = Path(str(prefix) + "-runs") / "runs"
    resumed = tmp_path / "resumed.h5"
    result = cli("run", "--resume", state, "--steps", str(STATE_WEEK + 60), "-o", resumed, "-q")
    assert result.returncode == EXIT_OK, str(result)
    assert [d for d in differences(resumed, runs / "p00000_r000.h5") if "config_layers" not in d] == []
    dated = tmp_path / "dated.h5"
    date = (np.datetime64("2025-04-01") + np.timedelta64(7 * (STATE_WEEK + 1), "D")).astype(str)
    result = cli("run", "somerset", "-p", "collaborative", "--from", date, "--steps", str(STATE_WEEK + 60),
                 "-o", dated, "-q")
    assert result.returncode == EXIT_OK, str(result)
    assert [d for d in differences(dated, runs / "p00001_r000.h5") if "config_layers" not in d] == []


def test_compare_from_a_state_again_reruns_nothing(caremarket_bin, compared, state):
    prefix, _ = compared
    runs = sorted((Path(str(prefix) + "-runs") / "runs").glob("*.h5"))
    before = [r.stat().st_mtime_ns for r in runs]
    proc = subprocess.run([caremarket_bin, "compare", "--from-state", state, "-p", "collaborative", "-n", "3",
                           "--steps", "60", "-o", prefix, "-q"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "will be run again" not in proc.stderr, proc.stderr
    assert [r.stat().st_mtime_ns for r in runs] == before


@pytest.mark.parametrize("extra, words", [(["somerset"], "the state's is used"),
                                          (["--set", "labour.nlw=13"], "put changes in a policy"),
                                          (["--seed", "5"], "state's seed")])
def test_compare_from_a_state_refuses_what_would_change_its_history(cli, state, tmp_path, extra, words):
    result = cli("compare", "--from-state", state, "-p", "collaborative", "-n", "2", "-o", tmp_path / "x", *extra)
    assert result.returncode == EXIT_BAD_INPUT, str(result)
    assert words in result.stderr
    assert not (tmp_path / "x-runs").exists()


def test_compare_from_a_bad_state_is_refused(cli, tmp_path):
    bad = tmp_path / "bad.checkpoint"
    bad.write_text("no")
    result = cli("compare", "--from-state", bad, "-p", "collaborative", "-n", "2", "-o", tmp_path / "x")
    assert result.returncode == EXIT_BAD_INPUT and "not an HDF5 file" in result.stderr, str(result)


# --- sweeps: a killed run goes on from its checkpoint ----------------------------------------------
def test_a_killed_sweep_resumes_its_long_run_from_its_checkpoint_each_run_once(caremarket_bin, tmp_path):
    def sweep(folder: str, checkpoint_every: int) -> Path:
        path = tmp_path / f"{folder}.toml"
        path.write_text(f"""
[sweep]
scenario = "somerset"
replicates = 2
steps = 520
checkpoint_every = {checkpoint_every}
""")
        return path

    out = tmp_path / "killed"
    proc = subprocess.Popen([caremarket_bin, "sweep", sweep("killed", 13), "-o", out, "--workers", "1", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    checkpoint = out / "runs" / "p00000_r000.h5.checkpoint"
    deadline = time.monotonic() + 120
    week = 0
    while time.monotonic() < deadline and proc.poll() is None:  # kill hard mid-way through the first run
        if checkpoint.exists():
            try:
                with h5py.File(checkpoint, "r") as f:
                    week = int(f.attrs["week"])
            except OSError:  # being replaced
                week = 0
            if week >= 200:
                break
        time.sleep(0.01)
    proc.kill()
    proc.communicate()
    assert week >= 200, "the first run never reached week 200 before the kill"
    again = subprocess.run([caremarket_bin, "sweep", sweep("killed", 13), "-o", out, "--workers", "1", "-q"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == EXIT_OK, again.stderr
    reference = tmp_path / "plain"
    plain = subprocess.run([caremarket_bin, "sweep", sweep("plain", 0), "-o", reference, "--workers", "1", "-q"],
                           capture_output=True, text=True, timeout=300)
    assert plain.returncode == EXIT_OK, plain.stderr
    for name in ("p00000_r000.h5", "p00000_r001.h5"):
        assert differences(reference / "runs" / name, out / "runs" / name) == [], name
    with h5py.File(out / "runs" / "p00000_r000.h5", "r") as f:
        assert f.attrs["resumed_at_step"] >= 200, "the killed run started again instead of going on"
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["p00000_r000.h5", "p00000_r001.h5"], \
        "checkpoints or temporary files left behind"
    lines = [l.split("\t") for l in (out / "journal.tsv").read_text().splitlines() if not l.startswith("#")]
    assert sorted(int(l[0]) for l in lines if l[1] == "done") == [0, 1]
    with h5py.File(out / "index.h5", "r") as a, h5py.File(reference / "index.h5", "r") as b:
        for key in a:
            if key.startswith(("final_", "last_year_")):
                np.testing.assert_array_equal(a[key][()], b[key][()], err_msg=key)


def test_a_stopped_run_resumed_to_completion_removes_its_checkpoint(cli, tmp_path):
    out = tmp_path / "s.h5"
    first = cli("run", "somerset", "--steps", "40", "-q", "-o", out, "--stop-after", "20")
    assert first.returncode == EXIT_OK, str(first)
    ckpt = Path(str(out) + ".checkpoint")
    assert ckpt.is_file()
    with h5py.File(out, "r") as f:
        assert f.attrs["stop_reason"] == "stopped" and f.attrs["complete"] == 0
    resumed = cli("run", "--resume", ckpt, "-q")
    assert resumed.returncode == EXIT_OK, str(resumed)
    assert not ckpt.exists(), "the completed run kept the checkpoint it went on from"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.h5"]
