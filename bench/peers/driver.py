"""copbot against python-telegram-bot and aiogram on the same 8-step form, in one run.

Each bot runs in its own process (one after the other, each pinned to one core) with
the in-process fake Bot API and the same load (:mod:`bench.peers.common`): N applicants,
K of them in the middle of the form at once, each sending ``/start``, the 8 answers and
Submit, waiting for every reply. Each process reports forms per second, the latency of
an answer (p50, p99), its peak RSS and its time to ready (from the driver spawning it to
its first ``getUpdates``: interpreter start, imports, start-up). The table ends with
copbot's ratios and the targets of issue 19. The checkout's bytecode is written first
(:func:`bench.compile_checkout`): the peers' libraries were compiled when pip installed them.

aiogram is not a copbot dependency: its process runs in ``.venv-peers`` (gitignored),
made here on the first run with ``python -m venv`` and ``pip install aiogram aiosqlite``.

Run: ``make bench`` or ``python -m bench.peers [--applicants N] [--in-flight K]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import compile_checkout

ROOT = Path(__file__).resolve().parents[2]
PEERS_VENV = ROOT / ".venv-peers"
PEERS_PACKAGES = ("aiogram>=3.4,<4", "aiosqlite")
#: name, module, whether it runs in the peers' virtualenv.
BOTS = (
    ("python-telegram-bot", "bench.peers.ptb_form", False),
    ("aiogram", "bench.peers.aiogram_form", True),
    ("copbot", "bench.peers.copbot_form", False),
)


def peers_python() -> Path:
    """The interpreter of ``.venv-peers``, made (and aiogram installed) if missing."""
    python = PEERS_VENV / "bin" / "python"
    check = [str(python), "-c", "import aiogram, aiosqlite"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"making {PEERS_VENV.name} for aiogram (once) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *PEERS_PACKAGES], check=True)
    return python


def run_one(
    module: str, python: Path, applicants: int, in_flight: int, folder: Path | None = None
) -> dict[str, Any]:
    """Spawn one bot's process; its result, or its error."""
    environment = os.environ | {"PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    command = [str(python), "-m", module, "--applicants", str(applicants), "--in-flight", str(in_flight)]
    command += ["--folder", str(folder)] if folder is not None else []
    spawned = time.time()
    done = subprocess.run(
        [*command, "--spawned", repr(spawned)], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return result
    tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-5:]
    return {"error": f"exit {done.returncode}: " + " | ".join(tail)}


def table(
    results: dict[str, dict[str, Any]], applicants: int, in_flight: int, restart: dict[str, Any]
) -> list[str]:
    lines = [
        f"bench.peers: {applicants} applicants, {in_flight} in flight, 10 updates each "
        "(/start, 8 answers, Submit); one process per bot, one core, the fake Bot API in process",
        f"{'':22}{'forms/s':>10}{'p50':>10}{'p99':>10}{'peak RSS':>11}{'ready':>8}",
    ]
    for name, result in results.items():
        if "error" in result:
            lines.append(f"{name:22}failed: {result['error']}")
            continue
        lines.append(
            f"{name:22}{result['forms_per_s']:>10,.1f}{result['p50_ms']:>7.1f} ms{result['p99_ms']:>7.1f} ms"
            f"{result['peak_rss_mib']:>7.0f} MiB{result['ready_s']:>6.2f} s"
        )
    ours, ptb, aio = (results.get(name, {}) for name in ("copbot", "python-telegram-bot", "aiogram"))
    if all("forms_per_s" in r for r in (ours, ptb, aio)):
        lines += [
            f"copbot / PTB: {ours['forms_per_s'] / ptb['forms_per_s']:.2f}x forms/s (target >= 1), "
            f"p99 {ours['p99_ms'] / ptb['p99_ms']:.2f}x (target <= 1), "
            f"RSS {ours['peak_rss_mib'] / ptb['peak_rss_mib']:.1f}x, ready {ours['ready_s'] / ptb['ready_s']:.1f}x",
            f"copbot / aiogram: {ours['forms_per_s'] / aio['forms_per_s']:.2f}x forms/s (target >= 1.5)",
            f"copbot: ready {ours['ready_s']:.2f} s on a new database, "
            f"{restart.get('ready_s') or float('nan'):.2f} s restarted on it (target < 1 s); "
            f"peak RSS {ours['peak_rss_mib']:.0f} MiB (target < 80 MiB)",
        ]
    lines += [f"{name}: {result['note']}" for name, result in results.items() if result.get("note")]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    options = parser.parse_args()
    compile_checkout()  # every peer starts from bytecode, as an installed package does
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, module, peers in BOTS:
            try:
                python = peers_python() if peers else Path(sys.executable)
            except (OSError, subprocess.CalledProcessError) as error:
                results[name] = {"error": f"cannot make {PEERS_VENV.name}: {error}"}
                continue
            (Path(folder) / name).mkdir()
            results[name] = run_one(
                module, python, options.applicants, options.in_flight, Path(folder) / name
            )
        # copbot again on the database its run left (migrated, sample community seeded):
        restart = run_one("bench.peers.copbot_form", Path(sys.executable), 0, 1, Path(folder) / "copbot")
    print("\n".join(table(results, options.applicants, options.in_flight, restart)))
    if any("error" in result for result in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
