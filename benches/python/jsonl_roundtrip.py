#!/usr/bin/env python3
"""The baseline for importing a JSONL or JSON file: what a short Python script does instead.

Parses every line with `json.loads` (a `.json` file, such as a Label Studio export, whole
with `json.load`) and writes the whole list back with `json.dump` (to /dev/null), the
least a tool that turns a corpus or another tool's export into a project file does.

    python3 benches/python/jsonl_roundtrip.py FILE.jsonl|FILE.json [REPEATS]
"""

import json
import os
import sys
import time


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    best = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        with open(path, encoding="utf-8") as f:
            if path.endswith(".json"):
                docs = json.load(f)
            else:
                docs = [json.loads(line) for line in f if line.strip()]
        with open(os.devnull, "w", encoding="utf-8") as out:
            json.dump(docs, out, ensure_ascii=False)
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    print(f"python {os.path.basename(path)} loads+dump: {best:.3f} s best of {repeats}; {len(docs)} documents")


if __name__ == "__main__":
    main()
