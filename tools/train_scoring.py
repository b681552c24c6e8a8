"""Train the scoring sentence models from resources/scoring and export them to ONNX.

Build-time only (scikit-learn, skl2onnx, onnx); the app needs only onnxruntime + numpy + jieba.
Reproducible: fixed seeds, sorted inputs. Run `python tools/train_scoring.py` from the repo root;
it rewrites onnx_models/scoring-*.onnx, the data splits, metrics and the manifest.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import yaml
from skl2onnx import to_onnx
from skl2onnx.common.data_types import StringTensorType
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, classification_report
from sklearn.pipeline import Pipeline

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.core.jobprofile import discover_profiles  # noqa: E402
from app.scoring.text import model_input, sentence_spans  # noqa: E402

SEED = 20261126
VARIANTS = 10  # sentences drawn from each template
OUT = REPO / "onnx_models"
DATA = OUT / "scoring-data"
STAR_LABELS = ["situation", "task", "action", "result", "reflection", "other"]
OWN_LABELS = ["own", "team"]
TOKEN_PATTERN = r"[^ ]+"


def _fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    def repl(m: re.Match[str]) -> str:
        return rng.choice(slots[m.group(1)])

    return re.sub(r"\{(\w+)\}", repl, template)


def _test_templates(lang: str, label: str, n: int) -> set[int]:
    """Whole templates go to the test split: a quarter of each class, chosen by a stable hash."""
    order = sorted(range(n), key=lambda i: hashlib.sha256(f"{lang}/{label}/{i}".encode()).digest())
    return set(order[: max(1, round(n / 4))])


def expand() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    src = yaml.safe_load((REPO / "resources/scoring/sentence_templates.yaml").read_text("utf-8"))
    rng = random.Random(SEED)
    train: list[dict[str, Any]] = []
    test: list[dict[str, Any]] = []
    for lang in ("zh", "en"):
        slots = src["slots"][lang]
        subjects = src["subjects"][lang]
        for label, templates in src["templates"][lang].items():
            held = _test_templates(lang, label, len(templates))
            for i, tpl in enumerate(templates):
                bucket = test if i in held else train
                seen: set[str] = set()
                for _ in range(VARIANTS):
                    if label == "action":
                        own = rng.random() < 0.6
                        subj = rng.choice(subjects["own"] if own else subjects["team"])
                        text = _fill(tpl.replace("{S}", subj), slots, rng)
                        star, owner = "action", ("own" if own else "team")
                    elif label == "team_only":
                        text = _fill(tpl, slots, rng)
                        star, owner = "action", "team"
                    else:
                        text = _fill(tpl, slots, rng)
                        star, owner = label, ""
                    if lang == "en" and text[:1].islower():
                        text = text[0].upper() + text[1:]
                    if text in seen:
                        continue
                    seen.add(text)
                    bucket.append(
                        {
                            "lang": lang,
                            "text": text,
                            "star": star,
                            "own": owner,
                            "template": f"{lang}/{label}/{i}",
                        }
                    )
    return train, test


def _pipeline(c: float) -> Pipeline:
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    token_pattern=TOKEN_PATTERN,
                    lowercase=False,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    min_df=1,
                ),
            ),
            ("clf", LogisticRegression(C=c, max_iter=3000, class_weight="balanced")),
        ]
    )


def _export(pipe: Pipeline, name: str, x_check: list[str]) -> tuple[Path, float]:
    clf = pipe.steps[-1][1]
    onx = to_onnx(
        pipe,
        initial_types=[("text", StringTensorType([None, 1]))],
        options={id(clf): {"zipmap": False}},
        target_opset=17,
    )
    path = OUT / f"scoring-{name}.onnx"
    path.write_bytes(onx.SerializeToString())
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"text": np.array(x_check, dtype=object).reshape(-1, 1)})[1]
    want = pipe.predict_proba(x_check)
    return path, float(np.max(np.abs(got - want)))


def _export_similarity(texts: list[str]) -> tuple[Path, int]:
    vec = TfidfVectorizer(
        token_pattern=TOKEN_PATTERN, lowercase=False, sublinear_tf=True, min_df=1, norm="l2"
    )
    vec.fit(texts)
    onx = to_onnx(vec, initial_types=[("text", StringTensorType([None, 1]))], target_opset=17)
    path = OUT / "scoring-similarity.onnx"
    path.write_bytes(onx.SerializeToString())
    return path, len(vec.vocabulary_)


def _profile_texts() -> list[str]:
    out: list[str] = []
    for p in discover_profiles([REPO / "resources/jobs"]):
        for lang in ("zh", "en"):
            chunks: list[str] = [p.summary.get(lang), p.career_path.get(lang)]
            for c in p.competencies:
                chunks += [c.definition.get(lang), *[a.get(lang) for a in c.anchors.values()]]
                chunks += c.indicators.get(lang) + c.counter_indicators.get(lang)
            for q in p.questions:
                chunks += [q.text.get(lang), *[x.get(lang) for x in q.probes]]
            for ch in chunks:
                out += [model_input(s.text, lang) for s in sentence_spans(ch, lang)]
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    train, test = expand()
    DATA.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", train), ("test", test)):
        with (DATA / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    x_tr = [model_input(r["text"], r["lang"]) for r in train]
    x_te = [model_input(r["text"], r["lang"]) for r in test]
    metrics: dict[str, Any] = {
        "seed": SEED,
        "train_sentences": len(train),
        "test_sentences": len(test),
        "split": "by template",
        "models": {},
    }
    manifest: dict[str, Any] = {"version": 1, "models": {}}

    star = _pipeline(10.0).fit(x_tr, [r["star"] for r in train])
    assert list(star.classes_) == sorted(STAR_LABELS)
    path, diff = _export(star, "star", x_te)
    pred = star.predict(x_te)
    y_te = [r["star"] for r in test]
    per_lang = {
        lang: float(
            accuracy_score(
                [y for y, r in zip(y_te, test, strict=True) if r["lang"] == lang],
                [p for p, r in zip(pred, test, strict=True) if r["lang"] == lang],
            )
        )
        for lang in ("zh", "en")
    }
    metrics["models"]["star"] = {
        "accuracy": float(accuracy_score(y_te, pred)),
        "by_lang": per_lang,
        "onnx_max_abs_diff": diff,
        "report": classification_report(y_te, pred, output_dict=True),
    }
    manifest["models"]["star"] = {
        "file": path.name,
        "sha256": _sha(path),
        "labels": [str(c) for c in star.classes_],
        "task": "STAR part of a sentence",
        "licence": "Apache-2.0 (project-trained)",
        "input": "text [N,1] string: app.scoring.text.model_input",
    }

    own_tr = [r for r in train if r["own"]]
    own_te = [r for r in test if r["own"]]
    own = _pipeline(10.0).fit(
        [model_input(r["text"], r["lang"]) for r in own_tr], [r["own"] for r in own_tr]
    )
    assert list(own.classes_) == OWN_LABELS
    x_ote = [model_input(r["text"], r["lang"]) for r in own_te]
    path, diff = _export(own, "ownership", x_ote)
    y_ote = [r["own"] for r in own_te]
    opred = own.predict(x_ote)
    metrics["models"]["ownership"] = {
        "accuracy": float(accuracy_score(y_ote, opred)),
        "test_sentences": len(own_te),
        "onnx_max_abs_diff": diff,
        "report": classification_report(y_ote, opred, output_dict=True),
    }
    manifest["models"]["ownership"] = {
        "file": path.name,
        "sha256": _sha(path),
        "labels": OWN_LABELS,
        "task": "own action vs team/assisting",
        "licence": "Apache-2.0 (project-trained)",
        "input": "text [N,1] string: app.scoring.text.model_input",
    }

    sim_path, vocab = _export_similarity(x_tr + x_te + _profile_texts())
    manifest["models"]["similarity"] = {
        "file": sim_path.name,
        "sha256": _sha(sim_path),
        "labels": [],
        "task": "TF-IDF vectors (l2) for anchor/competency similarity",
        "licence": "Apache-2.0 (project-trained)",
        "vocabulary": vocab,
        "input": "text [N,1] string: app.scoring.text.model_input",
    }
    for name, m in manifest["models"].items():
        m["bytes"] = (OUT / m["file"]).stat().st_size
        metrics["models"].setdefault(name, {})["bytes"] = m["bytes"]
    (OUT / "scoring-metrics.json").write_text(
        json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    (OUT / "scoring-manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    sys.stdout.write(
        json.dumps(
            {
                k: {kk: vv for kk, vv in v.items() if kk != "report"}
                for k, v in metrics["models"].items()
            },
            indent=2,
        )
        + f"\ntrain {len(train)} test {len(test)}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
