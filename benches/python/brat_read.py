#!/usr/bin/env python3
"""The baseline for importing a brat corpus: what a short Python script does instead.

Reads every `.txt` and its `.ann` in a folder and parses every line (text-bound annotations
with their fragments, events, relations, attributes and notes) into dicts, converting the
code point offsets to nothing (Python strings are indexed by code point already). It does not
check the covered text or build a project, so it is a lower bound for what Marginalia does.

    python3 benches/python/brat_read.py FOLDER [REPEATS]

Prints the best time of REPEATS runs (default 5), and the counts, on one line.
"""

import os
import sys
import time


def parse_ann(text):
    spans, events, relations, attributes, notes = {}, {}, {}, {}, {}
    for line in text.splitlines():
        if not line.strip():
            continue
        kind = line[0]
        fields = line.split("\t")
        if kind == "T" and len(fields) >= 2:
            label, _, ranges = fields[1].partition(" ")
            fragments = []
            for part in ranges.split(";"):
                start, _, end = part.partition(" ")
                fragments.append((int(start), int(end)))
            spans[fields[0]] = (label, fragments, fields[2] if len(fields) > 2 else "")
        elif kind == "E" and len(fields) >= 2:
            parts = fields[1].split()
            trigger = parts[0].split(":") if parts else []
            args = [p.split(":", 1) for p in parts[1:]]
            events[fields[0]] = (trigger, args)
        elif kind == "R" and len(fields) >= 2:
            parts = fields[1].split()
            relations[fields[0]] = (parts[0], [p.split(":", 1) for p in parts[1:]])
        elif kind in "AM" and len(fields) >= 2:
            attributes[fields[0]] = fields[1].split()
        elif kind == "#" and len(fields) >= 3:
            notes[fields[0]] = (fields[1], fields[2])
    return spans, events, relations, attributes, notes


def read_corpus(folder):
    docs = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".txt"):
            continue
        base = os.path.join(folder, name[:-4])
        with open(base + ".txt", encoding="utf-8") as f:
            text = f.read()
        ann = base + ".ann"
        parsed = None
        if os.path.exists(ann):
            with open(ann, encoding="utf-8") as f:
                parsed = parse_ann(f.read())
        docs.append((text, parsed))
    return docs


def main():
    folder = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    best = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        docs = read_corpus(folder)
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    spans = sum(len(p[0]) for _, p in docs if p)
    print(f"python brat read: {best:.3f} s best of {repeats}; {len(docs)} documents, {spans} text-bound annotations")


if __name__ == "__main__":
    main()
