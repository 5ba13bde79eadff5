"""python -m benchmarks [names...]: run benchmarks and print their figures.

With no names, runs every module of benchmarks.DEFAULT that exists. Each runs in its own Python
process, so that each can choose its database before Django starts."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time

from benchmarks import DEFAULT, ON_DEMAND, ROOT, available, format_figures


def run_here(name: str) -> None:
    module = importlib.import_module(f"benchmarks.{name}")
    figures = module.run()
    text = format_figures(figures)
    if text:
        print(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmark modules (default: {' '.join(DEFAULT)})")
    parser.add_argument("--list", action="store_true", help="list the benchmarks that exist and stop")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.list:
        print("\n".join(available()))
        print("\n".join(f"{name} (by name only)" for name in available(ON_DEMAND)))
        return 0
    if args.in_process:
        for name in args.names:
            run_here(name)
        return 0

    names = args.names or available()
    missing = [n for n in names if n not in available(names)]
    if missing:
        parser.error(f"no such benchmark: {', '.join(missing)}")
    failed = []
    for name in names:
        print(f"=== {name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "benchmarks", "--in-process", name], cwd=ROOT)
        print(
            f"=== {name}: {'ok' if result.returncode == 0 else 'FAILED'} in {time.perf_counter() - started:.0f} s\n"
        )
        if result.returncode:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
