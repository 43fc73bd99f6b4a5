"""The intent classifier's k-fold cross-validation accuracy and confusion matrix, per language.

    .venv/bin/python -m eval.classifier_report [--folds K] [--lang CODE]

Called by ``python -m eval.score`` after the scores. For each language pack, the utterances of
``intents/*.txt`` are masked and featurised exactly as at run time, then scikit-learn's
stratified k-fold ``cross_val_predict`` trains on k-1 folds and predicts the held-out fold
(same pipeline and settings as ``python -m understanding.train``). The folds are grouped by
template: every filling of one template (``templates/*.txt``) lands in the same fold, so the
figure measures new phrasings, not new slot values. Rows of the matrix are the labelled
intents, columns the predicted ones (abbreviated; the legend follows).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _abbrev(names: list[str]) -> list[str]:
    out = []
    for name in names:
        parts = name.split("_")
        short = "".join(p[:2] for p in parts)[:5] if len(parts) > 1 else name[:5]
        while short in out:
            short += "'"
        out.append(short)
    return out


def report(code: str, folds: int = 5) -> dict:
    from understanding import packs
    from understanding.classifier import read_examples, split_examples
    from understanding.train import cross_validate, masked_utterance

    from understanding.corpus import groups

    pack = packs.pack(code)
    examples = split_examples(read_examples(pack))[0]  # the questions' model (the planner's is its own)
    masked = [masked_utterance(t, code) for t, _ in examples]
    labels = [i for _, i in examples]
    by_template = groups(pack)
    group_of = [by_template.get((t, i), f"line:{n}") for n, (t, i) in enumerate(examples)]
    return cross_validate(masked, labels, folds, groups=group_of)


def print_report(code: str, cv: dict) -> None:
    classes, cm = cv["classes"], cv["confusion"]
    short = _abbrev(classes)
    how = "grouped by template (no template tested on its own fillings)" if cv.get("grouped") else "stratified"
    print(f"\nintent classifier, {code}: {cv['folds']}-fold cross-validation ({how}) accuracy "
          f"{100 * cv['accuracy']:.1f}% over {cv['n']} utterances, {len(classes)} intents")
    width = max(4, max(len(s) for s in short)) + 1
    print(" " * 16 + "".join(s.rjust(width) for s in short))
    for name, row in zip(classes, cm):
        total = sum(row)
        right = row[classes.index(name)]
        print(f"{name[:15]:<16}" + "".join((str(v) if v else ".").rjust(width) for v in row)
              + f"   {100 * right / total:5.1f}%" if total else "")
    print("legend: " + ", ".join(f"{s}={c}" for s, c in zip(short, classes)))


def main(argv: list[str] | None = None) -> int:
    from understanding import packs

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--lang", action="append")
    args = ap.parse_args(argv if argv is not None else [])
    for code in args.lang or packs.available():
        print_report(code, report(code, args.folds))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
