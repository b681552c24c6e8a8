"""Answer scoring latency: one answer (evidence + every targeted competency) in <= 200 ms."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from app.core.jobprofile import load_profile
from app.scoring.evidence import AnswerInput
from app.scoring.models import default_models
from app.scoring.scorer import Scorer
from app.scoring.text import warm_up

TARGET_MS = 200.0
REPO = Path(__file__).resolve().parents[1]

_ZH = (
    "去年十月我负责会员中心的续费提醒功能。当时续费率只有31%，老板想直接上线全量推送。"
    "我先定义了续费率为核心指标、退订率为护栏指标，设计了为期两周的AB测试，两组各4万用户。"
    "实验中我发现渠道结构不一样，就按渠道做了分层对比，排除了双十一流量的干扰。"
    "最终实验组续费率高了2.4个百分点，但退订率也涨了0.8个点，所以我决定只对近30天活跃用户上线。"
    "回头看，我应该更早和运营对齐推送频次。"
)
_EN = (
    "Last October I owned the renewal reminder feature. Renewal was only 31% and my manager "
    "wanted to push it to everyone. I defined renewal as the primary metric and unsubscribes "
    "as a guardrail, and designed a two-week A/B test with 40,000 users per arm. The test arm "
    "renewed 2.4 points higher but unsubscribes rose 0.8 points, so I launched only to users "
    "active in the last 30 days. Looking back, I should have agreed the frequency earlier."
)


def run() -> dict[str, object]:
    t0 = time.perf_counter()
    warm_up()
    models = default_models()
    scorer = Scorer(load_profile(REPO / "resources/jobs/internet-product-manager.yaml"), models)
    startup_ms = (time.perf_counter() - t0) * 1000
    out: dict[str, object] = {"startup_ms": round(startup_ms, 1), "target_ms": TARGET_MS}
    for lang, text, reps in (("zh", _ZH, 1), ("en", _EN, 1), ("zh_repeated_4x", _ZH * 4, 1)):
        answer = AnswerInput("bench", "q03", lang[:2], text * reps)
        scorer.score(answer)  # first call pays one-off costs
        times = []
        for _ in range(30):
            t = time.perf_counter()
            scorer.score(answer)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out[lang] = {
            "chars": len(answer.text),
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(0.95 * len(times)) - 1], 2),
            "max_ms": round(times[-1], 2),
        }
    worst = max(float(v["p95_ms"]) for k, v in out.items() if isinstance(v, dict))  # type: ignore[index]
    out["ok"] = worst <= TARGET_MS
    out["models"] = [s.note for s in models.statuses]
    return out
