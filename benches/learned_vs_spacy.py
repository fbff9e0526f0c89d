#!/usr/bin/env python3
"""What a user would do instead of the learned suggester: export the project for spaCy,
train spaCy's default NER on the same training documents, and score it on the same test
documents, the same way (exact bounds, per label).

    marginalia suggest P.ron --with learned --evaluate --json eval.json
    marginalia export P.ron --format spacy -o P.spacy.jsonl
    python3 benches/learned_vs_spacy.py P.spacy.jsonl eval.json Source Cue Content

The test documents are `test_ids` from Marginalia's evaluation. NER needs spans that do not
overlap: the labels named are kept (the longest span wins an overlap, spaCy's
`filter_spans`). spaCy's tokenizer decides token boundaries: a gold span that does not fall
on them is shrunk to the tokens inside it for training and still scored by its exact bounds.
Prints the per-label scores after each epoch, the time per epoch, and the best epoch (the
most favourable to spaCy). Needs `pip install spacy` (3.x); no model download.
"""

import json
import random
import sys
import time

import spacy
from spacy.training import Example
from spacy.util import filter_spans, minibatch


def prf(right_pred, pred, right_gold, gold):
    p = right_pred / pred if pred else 0.0
    r = right_gold / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main():
    export, evaluation, *labels = sys.argv[1:]
    epochs = 10
    if "--epochs" in labels:
        i = labels.index("--epochs")
        epochs = int(labels[i + 1])
        del labels[i : i + 2]
    test_ids = set(json.load(open(evaluation))["test_ids"])
    rows = [json.loads(line) for line in open(export, encoding="utf-8")]
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in labels:
        ner.add_label(label)
    train, test = [], []
    for row in rows:
        gold = [(s["start"], s["end"], s["label"]) for s in row["spans"] if s["label"] in labels]
        doc_id = (row.get("meta") or {}).get("id")
        if doc_id in test_ids:
            test.append((row["text"], gold))
            continue
        if not gold:
            continue
        doc = nlp.make_doc(row["text"])
        spans = []
        for a, b, l in gold:
            # NER cannot learn a span that begins or ends with whitespace (E024).
            piece = row["text"][a:b]
            a, b = a + len(piece) - len(piece.lstrip()), b - (len(piece) - len(piece.rstrip()))
            s = doc.char_span(a, b, label=l, alignment_mode="contract") if b > a else None
            if s is not None and len(s) and not s[0].is_space and not s[-1].is_space:
                spans.append(s)
        doc.ents = filter_spans(spans)
        train.append(Example(nlp.make_doc(row["text"]), doc))
    print(f"spaCy {spacy.__version__}: {len(train)} training documents, {len(test)} test documents, labels {labels}")
    started = time.perf_counter()
    optimizer = nlp.initialize(lambda: train)
    best = None
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        random.Random(epoch).shuffle(train)
        losses = {}
        for batch in minibatch(train, size=8):
            nlp.update(batch, sgd=optimizer, drop=0.1, losses=losses)
        took = time.perf_counter() - t0
        t1 = time.perf_counter()
        found = [{(e.start_char, e.end_char, e.label_) for e in doc.ents} for doc in nlp.pipe(t for t, _ in test)]
        predict = time.perf_counter() - t1
        scores = {}
        for label in labels:
            g = [{x for x in gold if x[2] == label} for _, gold in test]
            f = [{x for x in fs if x[2] == label} for fs in found]
            right = sum(len(a & b) for a, b in zip(g, f))
            scores[label] = prf(right, sum(map(len, f)), right, sum(map(len, g)))
        print(
            f"epoch {epoch}: {took:.1f} s training, {predict:.1f} s predicting, "
            + ", ".join(f"{l} F1 {s[2]:.3f} (P {s[0]:.3f} R {s[1]:.3f})" for l, s in scores.items())
        )
        mean = sum(s[2] for s in scores.values()) / len(scores)
        if best is None or mean > best[0]:
            best = (mean, epoch, scores, time.perf_counter() - started)
        sys.stdout.flush()
    mean, epoch, scores, elapsed = best
    print(f"best epoch {epoch} after {elapsed:.0f} s: " + ", ".join(f"{l} {s[2]:.3f}" for l, s in scores.items()))


if __name__ == "__main__":
    main()
