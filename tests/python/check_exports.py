"""Checks Marginalia's training exports with the real tools (manual: CI has no spaCy).

    pip install spacy datasets
    MARGINALIA_EXPORT_DIR=/tmp/marginalia-exports \
        cargo test --test formats_tokens exports_for_the_python_check_when_asked
    python tests/python/check_exports.py /tmp/marginalia-exports

For every file in the folder:
- `*.spacy.jsonl`: builds a spaCy DocBin with `spacy.blank("en")`, every span through
  `doc.char_span(start, end, label=label, alignment_mode="strict")` into `doc.spans["sc"]`
  (overlaps allowed there); fails if any is None or covers other text; saves `*.spacy`
  and reads it back;
- `*.hf.jsonl`: loads it with `datasets.load_dataset("json", ...)`; every row has as many
  `ner_tags` as `tokens`, and every tag is in the `*.hf.labels.json` beside it;
- `*.conll`: converts it with spaCy's CoNLL NER converter; one entity per `B-` tag.
"""

import json
import os
import sys
from pathlib import Path

import spacy
from spacy.tokens import DocBin


def check_spacy(path: Path) -> None:
    nlp = spacy.blank("en")
    db = DocBin(store_user_data=True)
    n_docs = n_spans = n_relations = 0
    misaligned = []
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            doc = nlp.make_doc(rec["text"])
            spans = []
            for s in rec["spans"]:
                span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="strict")
                if span is None:
                    near = [t.text for t in doc.char_span(s["start"], s["end"], alignment_mode="expand")]
                    misaligned.append(f"{path.name}:{line_no}: span {s['id']} {s['text']!r} ({s['start']}..{s['end']}) is not on spaCy token boundaries; spaCy's tokens there: {near}")
                    continue
                assert span.text == s["text"], f"{path}:{line_no}: span {s['id']} covers {span.text!r}, not {s['text']!r}"
                spans.append(span)
            doc.spans["sc"] = spans
            if misaligned:
                continue
            for r in rec["relations"]:
                assert 0 <= r["head"] < len(spans) and 0 <= r["child"] < len(spans), f"{path}:{line_no}: relation {r} points outside spans"
            doc.user_data["meta"] = rec["meta"]
            doc.user_data["relations"] = rec["relations"]
            db.add(doc)
            n_docs += 1
            n_spans += len(spans)
            n_relations += len(rec["relations"])
    assert not misaligned, "char_span(alignment_mode=\"strict\") returned None:\n  " + "\n  ".join(misaligned)
    out = path.with_suffix("")  # seed.spacy.jsonl -> seed.spacy
    db.to_disk(out)
    back = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    assert len(back) == n_docs and sum(len(d.spans["sc"]) for d in back) == n_spans
    print(f"spacy  {path.name}: {n_docs} docs, {n_spans} spans (all strict-aligned), {n_relations} relations -> {out.name}")


def check_hf(path: Path) -> None:
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    # As Marginalia names it: the data file without its last extension, + ".labels.json".
    labels_path = path.with_name(path.stem + ".labels.json")
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    assert labels[0] == "O" and len(labels) == len(set(labels)), labels
    ds = datasets.load_dataset("json", data_files=str(path), split="train")
    n_tokens = n_spans = 0
    for row in ds:
        assert len(row["tokens"]) == len(row["ner_tags"]), f"{row['id']}: {len(row['tokens'])} tokens, {len(row['ner_tags'])} tags"
        assert all(t for t in row["tokens"]), f"{row['id']}: empty token"
        unknown = set(row["ner_tags"]) - set(labels)
        assert not unknown, f"{row['id']}: tags {unknown} not in {labels_path.name}"
        n_tokens += len(row["tokens"])
        n_spans += sum(t.startswith("B-") for t in row["ner_tags"])
    # Integer ids as a model wants them, through the label list.
    ds = ds.cast_column("ner_tags", datasets.Sequence(datasets.ClassLabel(names=labels)))
    print(f"hf     {path.name}: {len(ds)} sentences, {n_tokens} tokens, {n_spans} spans, tags in {labels_path.name}; features: {ds.features['ner_tags']}")


def check_conll(path: Path) -> None:
    from spacy.training.converters import conll_ner_to_docs

    text = path.read_text(encoding="utf-8")
    docs = list(conll_ner_to_docs(text, no_print=True))
    n_b = sum(1 for line in text.splitlines() if line.split() and line.split()[-1].startswith("B-"))
    n_ents = sum(len(d.ents) for d in docs)
    n_docstart = text.count("-DOCSTART- -X- O O\n")
    assert len(docs) == n_docstart, f"{len(docs)} docs for {n_docstart} -DOCSTART- lines"
    assert n_ents == n_b, f"{n_ents} entities for {n_b} B- tags"
    print(f"conll  {path.name}: {len(docs)} docs, {n_ents} entities (one per B- tag)")


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MARGINALIA_EXPORT_DIR", ""))
    if not folder.is_dir():
        print(__doc__)
        return 2
    print(f"spaCy {spacy.__version__}")
    print(f"datasets {__import__('datasets').__version__}")
    checks = [("*.spacy.jsonl", check_spacy), ("*.hf.jsonl", check_hf), ("*.conll", check_conll)]
    failed = 0
    for pattern, check in checks:
        for p in sorted(folder.glob(pattern)):
            try:
                check(p)
            except AssertionError as e:
                failed += 1
                print(f"FAIL   {p.name}: {e}")
    print("all exports check out" if not failed else f"{failed} file(s) failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
