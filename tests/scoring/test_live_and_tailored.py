"""Live helpers (coverage, STAR, probes), tailored probes, career alignment, cues."""

from __future__ import annotations

from app.core.jobprofile import JobProfile
from app.scoring.cues import DELIVERY_CAP, cue_report
from app.scoring.evidence import AnswerInput
from app.scoring.live import live_status
from app.scoring.scorer import Scorer
from app.scoring.tailored import CandidateBrief, career_alignment, tailored_probes
from tests.scoring.examples import SPECIFIC


def test_probes_ask_for_what_the_answer_lacks(scorers: dict[str, Scorer]) -> None:
    sc = scorers["internet-product-manager"]
    partial = "我们团队去年做了会员体系改版，大家一起开了很多会，做了不少工作。"
    st = live_status(sc, AnswerInput("a", "q01", "zh", partial))
    assert {"own", "result"} <= set(st.missing)
    assert 1 <= len(st.probes) <= 2
    # q01's own guide has probes for both gaps; they are preferred to the generic ones.
    q01 = next(q for q in sc.profile.questions if q.id == "q01")
    guide = [p.zh for p in q01.probes]
    assert st.probes[0] in guide and st.probes[1] in guide
    again = live_status(sc, AnswerInput("a", "q01", "zh", partial), asked=set(st.probes))
    assert not set(again.probes) & set(st.probes)


def test_complete_answer_has_more_coverage_and_star(scorers: dict[str, Scorer]) -> None:
    job, qid, lang, text = SPECIFIC[1]
    sc = scorers[job]
    first = text.split(". ")[0] + "."
    early = live_status(sc, AnswerInput("a", qid, lang, first))
    done = live_status(sc, AnswerInput("a", qid, lang, text))
    assert done.star_complete > early.star_complete
    assert sum(done.coverage.values()) > sum(early.coverage.values())
    assert "result" in early.missing and "result" not in done.missing
    assert set(done.coverage) == set(
        next(q for q in sc.profile.questions if q.id == qid).competencies
    )


def test_tailored_probes_are_bounded_attached_and_separate(
    profiles: dict[str, JobProfile],
) -> None:
    p = profiles["internet-product-manager"]
    brief = CandidateBrief(
        projects=[
            {
                "name": "线上商城会员体系改版",
                "role": "负责人",
                "outcome": "90天复购率从18%提升到23%",
            },
            {"name": "新客首单引导", "role": "参与", "outcome": "首单转化提升1.6个百分点"},
            {"name": "搜索推荐AB测试平台", "role": "主导", "outcome": ""},
            {"name": "客服工单系统", "role": "参与", "outcome": ""},
        ],
        round1_notes="一面表达清楚，数据意识强；对跨团队推进的细节讲得较少，建议二面重点追问。",
        past_training=["用户研究方法训练营"],
    )
    probes = tailored_probes(p, brief, "zh")
    assert 3 <= len(probes) <= 5
    ids = {c.id for c in p.competencies}
    assert all(x.competency in ids for x in probes)
    core = {q.text.zh for q in p.questions}
    assert not core & {x.text for x in probes}
    first = probes[0]
    assert (
        first.source == "project" and "线上商城会员体系改版" in first.text and "负责" in first.text
    )
    assert "参与" in probes[1].text and "本人" in probes[1].text
    r1 = [x for x in probes if x.source == "round1"]
    assert r1 and "跨团队" in r1[0].text and r1[0].competency in {"teamwork", "communication"}
    assert sum(1 for x in probes if x.source == "project") <= 3
    en = tailored_probes(p, brief, "en", limit=2)
    assert len(en) == 2 and all(x.to_dict()["kind"] == "tailored" for x in en)


def test_career_alignment_compares_direction_with_quotes(profiles: dict[str, JobProfile]) -> None:
    risk = profiles["risk-control-analyst"]  # specialist track
    store = profiles["retail-store-manager"]  # management track
    mgmt = [("career_goal", "我希望三到五年内带团队，做到区域的管理者。")]
    spec = [("answer q10", "I want to go deep and become a domain expert in fraud modelling.")]
    a = career_alignment(risk, mgmt)
    assert a.stated == "management" and a.aligned is False and a.quotes
    assert a.quotes[0]["quote"] in mgmt[0][1]
    assert career_alignment(risk, spec).aligned is True
    assert career_alignment(store, mgmt).aligned is True
    unknown = career_alignment(store, [("career_goal", "我喜欢这家公司。")])
    assert unknown.stated == "unknown" and unknown.aligned is None
    mixed = profiles["internet-product-manager"]
    assert career_alignment(mixed, spec).aligned is True


def test_cues_are_observations_unless_profile_and_consent_allow() -> None:
    samples = [
        ("speaking_rate", 1000, 150.0),
        ("speaking_rate", 2000, 170.0),
        ("pause_ratio", 2000, 0.2),
        ("smiling", 1500, 0.7),
        ("emotion_happy", 1500, 0.9),
    ]
    strict = cue_report(samples)
    assert strict.delivery is None and "observations only" in strict.note
    assert strict.observations["speaking_rate"]["mean"] == 160.0
    assert "emotion_happy" not in strict.observations and strict.ignored == ["emotion_happy"]
    no_consent = cue_report(samples, "consented-nonverbal", cue_consent=False)
    assert no_consent.delivery is None
    ok = cue_report(samples, "consented-nonverbal", cue_consent=True)
    assert ok.delivery is not None and 0 < ok.delivery["weight"] <= DELIVERY_CAP
    assert "delivery" in ok.delivery["label"]
    assert cue_report(samples, "no-such-profile", cue_consent=True).delivery is None
