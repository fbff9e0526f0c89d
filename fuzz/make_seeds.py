#!/usr/bin/env python3
"""Writes fuzz/seeds/<target>/: small valid inputs for each fuzz target, from tests/fixtures
and from exports of the demo project (made with the marginalia binary given as argv[1]).

    cargo build && python3 fuzz/make_seeds.py target/debug/marginalia

Multi-file inputs are cut with 0x1E (see fuzz/src/lib.rs). Large files are cut into one seed
per line or per task, so that libFuzzer's inputs stay small (and fast).
"""
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"
SEP = b"\x1e"
MAX = 12000  # bytes per seed


def put(target, name, data):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    if len(data) <= MAX:
        (d / name).write_bytes(data)


def lines(path, limit=12):
    out = [l for l in pathlib.Path(path).read_bytes().split(b"\n") if l.strip()]
    return out[:limit]


def project_seeds():
    jsonl_doc = b'{"id": "j1", "text": "Kim told reporters he would \\u201cnever\\u201d go."}\n'
    for ron in [ROOT / "projects/seed-news.ron"] + sorted(ROOT.glob("tests/fixtures/format-v*/projects/seed-news.ron")):
        text = ron.read_text(encoding="utf-8")
        # Keep the first document only, pointed at a.txt, with its corpus text as part 2.
        m = re.search(r'\n(\s*)Document\(\n.*?\n\1\),\n', text, re.S)
        if not m:
            continue
        first = m.group(0)
        path = re.search(r'path: "([^"]+)"', first).group(1)
        corpus = (ron.parent / path).read_bytes()
        start = text.index("documents: [") + len("documents: [")
        end = text.index("\n    ],", start)
        one = text[:start] + first.replace(path, "a.txt").rstrip("\n") + text[end:]
        tag = ron.parts[-3] if "fixtures" in ron.parts else "demo"
        put("project_ron", f"{tag}.ron", one.encode() + SEP + corpus + SEP + jsonl_doc)
    # A JSONL corpus document.
    new = ROOT / "projects/seed-news.ron"
    head = new.read_text(encoding="utf-8").split("documents: [")[0]
    doc = ('documents: [\n        Document(\n            id: "j1",\n            path: "c.jsonl",\n'
           '            line: Some(1),\n            hash: "sha256:0",\n            len: 0,\n'
           '            status: New,\n            spans: [],\n        ),\n    ],\n)\n')
    put("project_ron", "jsonl.ron", (head + doc).encode() + SEP + b"" + SEP + jsonl_doc)


def brat_seeds():
    for ann in sorted(ROOT.glob("tests/fixtures/brat/**/*.ann")):
        txt = ann.with_suffix(".txt")
        if not txt.exists():
            continue
        conf = ann.parent / "annotation.conf"
        data = txt.read_bytes() + SEP + ann.read_bytes()
        if conf.exists():
            data += SEP + conf.read_bytes()
        put("brat", f"{ann.parent.name}-{ann.stem}", data)


def export_seeds(binary):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        demo = ROOT / "projects/seed-news.ron"
        for fmt in ["doccano", "label-studio", "prodigy", "conll", "hf", "brat"]:
            out = tmp / ("brat" if fmt == "brat" else f"out.{fmt}")
            subprocess.run([binary, "export", str(demo), "--format", fmt, "-o", str(out)],
                           check=True, capture_output=True)
        for i, l in enumerate(lines(tmp / "out.doccano")):
            put("doccano", f"demo-{i}.jsonl", l + b"\n")
        for i, l in enumerate(lines(tmp / "out.prodigy")):
            put("prodigy", f"demo-{i}.jsonl", l + b"\n")
        for f in sorted(ROOT.glob("tests/fixtures/prodigy/*.jsonl")):
            for i, l in enumerate(lines(f, 6)):
                put("prodigy", f"{f.stem}-{i}.jsonl", l + b"\n")
        tasks = json.loads((tmp / "out.label-studio").read_text(encoding="utf-8"))
        for i, t in enumerate(tasks):
            put("label_studio", f"demo-{i}.json", json.dumps([t], ensure_ascii=False, indent=1).encode())
        conll = (tmp / "out.conll").read_bytes().split(b"\n\n")
        for i in range(0, min(len(conll), 40), 4):
            put("conll", f"demo-{i}.conll", b"\n\n".join(conll[i:i + 4]) + b"\n")
        labels = (tmp / "out.labels.json").read_bytes()
        hf = lines(tmp / "out.hf", 40)
        for i in range(0, len(hf), 4):
            put("hf", f"demo-{i}.jsonl", b"\n".join(hf[i:i + 4]) + b"\n")
        # Integer tags need the label list: the second part.
        names = json.loads(labels)
        for i, l in enumerate(hf[:4]):
            rec = json.loads(l)
            rec["ner_tags"] = [names.index(t) if t in names else 0 for t in rec["ner_tags"]]
            put("hf", f"demo-int-{i}.jsonl", json.dumps(rec).encode() + b"\n" + SEP + labels)
        for f in sorted((tmp / "brat").glob("*.ann")):
            put("brat", f"demo-{f.stem}", f.with_suffix(".txt").read_bytes() + SEP + f.read_bytes()
                + SEP + (tmp / "brat" / "annotation.conf").read_bytes())
        # Corpus JSONL and predictions, over the demo texts.
        texts = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("assets/corpus/*.txt"))]
        for i, t in enumerate(texts):
            rec = {"id": f"doc-{i}", "text": t[:1500], "meta": {"source": "demo", "n": i}}
            put("corpus_jsonl", f"demo-{i}.jsonl", (json.dumps(rec, ensure_ascii=False) + "\n").encode())
        put("corpus_jsonl", "plain.jsonl", b'{"text": "a"}\n\n{"id": 7, "text": "b \\u00e9 \\ud83d\\ude42"}\r\n')
        for i, t in enumerate(texts):
            t = t[:1200]
            spans = []
            for m in re.finditer(r"Harris|Putin|Kim|Ukraine|said", t):
                cp = len(t[:m.start()])
                spans.append({"start": cp, "end": cp + len(m.group(0)), "label": "speaker",
                              "score": 0.8, "text": m.group(0)})
            rec = {"id": "d1", "spans": spans[:8],
                   "relations": [{"from": 0, "to": 1, "type": "holds"}] if len(spans) > 1 else []}
            put("predictions", f"demo-{i}.jsonl", json.dumps(rec, ensure_ascii=False).encode() + b"\n" + SEP + t.encode())
        names = b"# names\nKamala Harris\nPutin\tspeaker\nUkraine\tevent\nKim \xf0\x9f\x99\x82\n\xe6\x97\xa5\xe6\x9c\xac\tstance\r\nnobody\tnolabel\n"
        put("gazetteer", "names.txt", names)
        for i, t in enumerate(texts):
            put("gazetteer", f"demo-{i}.txt", names + SEP + t[:1500].encode())
        put("predictions", "by-text.jsonl",
            b'{"text": "Kim \xf0\x9f\x99\x82 said \xe2\x80\x9c\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\x9d.\\r\\nDone.", "source": "m",'
            b' "spans": [{"start": 0, "end": 3, "label": "speaker"}, {"start": 11, "end": 13, "label": "stance", "score": 2}]}\n')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    project_seeds()
    brat_seeds()
    export_seeds(sys.argv[1])
    for d in sorted(SEEDS.iterdir()):
        print(d.name, len(list(d.iterdir())))


if __name__ == "__main__":
    main()
