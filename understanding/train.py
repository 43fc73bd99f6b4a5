"""Train the intent classifiers: ``python -m understanding.train [--lang CODE] [--cv]``.

For each language pack: read ``intents/*.txt`` (one utterance a line, the file names the
intent), mask the slots and cut the features exactly as :mod:`understanding.classifier`
does at run time, weight them with TF-IDF (sublinear tf, L2-normalised) and fit a
multinomial logistic regression (scikit-learn). The weights are written, pruned and rounded,
to the pack's ``model.json`` with the hash of the data they came from.

``--cv`` also runs a stratified k-fold cross-validation and stores its accuracy and
confusion matrix in the model (``eval/classifier_report.py`` prints them).

scikit-learn is imported here only: answering a question never needs it.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from understanding import packs  # noqa: E402
from understanding.classifier import FORMAT, data_hash, read_examples, split_examples  # noqa: E402
from understanding.features import features, mask  # noqa: E402

logger = logging.getLogger("understanding.train")

TRAIN_TODAY = date(2026, 12, 1)  # relative words need a day to be read; any day masks the same
C = 20.0
PRUNE = 0.02  # weights smaller than this are dropped from the exported model


def masked_utterance(text: str, lang: str) -> str:
    from understanding.engine import prepare

    return prepare(text, lang=lang, today=TRAIN_TODAY).masked


def vectorise(texts: Iterable[str]):
    return [features(t) for t in texts]


def fit(examples: list[tuple[str, str]], lang: str):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    masked = [masked_utterance(t, lang) for t, _ in examples]
    labels = [i for _, i in examples]
    dv = DictVectorizer()
    X = dv.fit_transform(vectorise(masked))
    tfidf = TfidfTransformer(sublinear_tf=True)
    X = tfidf.fit_transform(X)
    clf = LogisticRegression(C=C, max_iter=3000)
    clf.fit(X, labels)
    return dv, tfidf, clf, masked, labels


def cross_validate(masked: list[str], labels: list[str], folds: int = 5, groups: list[str] | None = None) -> dict:
    """k-fold cross-validation; with ``groups`` (the template each utterance was filled from),
    every filling of a template falls in the same fold, so a template is never tested on its
    own fillings (the stricter, more honest figure)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(DictVectorizer(), TfidfTransformer(sublinear_tf=True), LogisticRegression(C=C, max_iter=3000))
    classes = sorted(set(labels))
    if groups is not None:
        from sklearn.model_selection import StratifiedGroupKFold

        cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=7)
        pred = cross_val_predict(pipe, vectorise(masked), labels, cv=cv, groups=groups)
    else:
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=7)
        pred = cross_val_predict(pipe, vectorise(masked), labels, cv=cv)
    acc = sum(p == y for p, y in zip(pred, labels)) / len(labels)
    cm = confusion_matrix(labels, pred, labels=classes)
    return {"folds": folds, "accuracy": round(float(acc), 4), "n": len(labels), "classes": classes,
            "confusion": cm.tolist(), "grouped": groups is not None}


def export(dv, tfidf, clf, lang: str, digest: str, cv: dict | None) -> dict:
    classes = list(clf.classes_)
    coef = clf.coef_
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row
        coef = [[-w for w in coef[0]], list(coef[0])]
    feats = {}
    for name, j in dv.vocabulary_.items():
        pairs = []
        for i in range(len(classes)):
            w = float(coef[i][j])
            if abs(w) >= PRUNE:
                pairs += [i, round(w, 3)]
        feats[name] = [round(float(tfidf.idf_[j]), 4), pairs] if pairs else [round(float(tfidf.idf_[j]), 4)]
    intercept = [round(float(b), 4) for b in (clf.intercept_ if len(clf.intercept_) == len(classes)
                                              else [-clf.intercept_[0], clf.intercept_[0]])]
    out = {"format": FORMAT, "lang": lang, "data_hash": digest, "classes": classes, "intercept": intercept,
           "trained_with": "scikit-learn LogisticRegression(C=%s) over TF-IDF(sublinear) word 1-2-grams + char 3-5-grams" % C,
           "features": dict(sorted(feats.items()))}
    if cv:
        out["cv"] = cv
    return out


def train_pack(pack: packs.Pack, *, cv: bool = False, out: Path | None = None,
               examples: list[tuple[str, str]] | None = None) -> dict:
    examples = examples if examples is not None else read_examples(pack)
    if not examples:
        raise SystemExit(f"language pack {pack.code}: no utterances in {pack.intents_dir}")
    questions, planner = split_examples(examples)
    if any(i != "other" for _, i in planner) and out is None:
        # the planner's commands against every other utterance: a model of their own
        # (understanding.classifier), so the questions' model is learnt without them
        p_dv, p_tfidf, p_clf, _, _ = fit(planner, pack.code)
        p_model = export(p_dv, p_tfidf, p_clf, pack.code, data_hash(pack), None)
        with open(pack.planner_model_path, "w", encoding="utf-8") as fh:
            json.dump(p_model, fh, ensure_ascii=False, separators=(",", ":"))
            fh.write("\n")
        logger.info("%s: planner commands %s against %d other utterances -> %s", pack.code,
                    ", ".join(c for c in p_model["classes"] if c != "other"),
                    sum(1 for _, i in planner if i == "other"), pack.planner_model_path)
    examples = questions
    dv, tfidf, clf, masked, labels = fit(examples, pack.code)
    report = cross_validate(masked, labels) if cv else None
    model = export(dv, tfidf, clf, pack.code, data_hash(pack), report)
    target = out or pack.model_path
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(model, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")
    logger.info("%s: %d utterances, %d intents, %d features -> %s%s", pack.code, len(examples), len(model["classes"]),
                len(model["features"]), target, f", {report['folds']}-fold CV accuracy {report['accuracy']:.3f}" if report else "")
    return model


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(description="Train the intent classifier of each language pack.")
    ap.add_argument("--lang", action="append", help="only this pack (repeatable)")
    ap.add_argument("--cv", action="store_true", help="also run 5-fold cross-validation and store it in the model")
    ap.add_argument("--pack", action="append", type=Path, help="register an extra language pack folder first")
    args = ap.parse_args(argv)
    for folder in args.pack or []:
        packs.register(folder)
    for code in args.lang or packs.available():
        train_pack(packs.pack(code), cv=args.cv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
