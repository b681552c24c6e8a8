"""The bundled job profiles are product content: check them as a reviewer would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from app.context import bundled_profiles_dir, scan_profiles
from app.core.errors import ProfileError
from app.core.jobprofile import load_profile

EXPECTED = {
    "internet-product-manager",
    "production-supervisor",
    "retail-store-manager",
    "risk-control-analyst",
}


def _profiles():  # type: ignore[no-untyped-def]
    return {p.id: p for p in scan_profiles([bundled_profiles_dir()]).profiles}


def test_the_four_bundled_profiles_load() -> None:
    scan = scan_profiles([bundled_profiles_dir()])
    assert scan.problems == []
    assert {p.id for p in scan.profiles} >= EXPECTED


@pytest.mark.parametrize("job_id", sorted(EXPECTED))
def test_profile_shape(job_id: str) -> None:
    p = _profiles()[job_id]
    assert 5 <= len(p.competencies) <= 7
    assert 8 <= len(p.questions) <= 12
    assert abs(sum(c.weight for c in p.competencies) - 1) < 1e-3
    for c in p.competencies:
        assert {2, 5, 8, 10} <= set(c.anchors)
        assert 1 <= c.required_level <= 10
        assert len(c.indicators.zh) >= 5 and len(c.indicators.en) >= 5
        covering = [q for q in p.questions if c.id in q.competencies]
        assert len(covering) >= 2, f"{c.id} is asked about in fewer than 2 questions"
        anchors = [c.anchors[lv] for lv in (2, 5, 8, 10)]
        # Anchors describe different behaviour at each level, in both languages.
        assert len({a.zh for a in anchors}) == 4 and len({a.en for a in anchors}) == 4
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in a.zh) for a in anchors)
        assert all(
            a.en.isascii() or not any("\u4e00" <= ch <= "\u9fff" for ch in a.en) for a in anchors
        )
    for q in p.questions:
        assert q.probes, f"{q.id} has no probes"
    assert 30 <= sum(q.minutes for q in p.questions) <= 90


def _broken_copy(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    src = bundled_profiles_dir() / "retail-store-manager.yaml"
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    edit(data)
    dst = tmp_path / src.name
    dst.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return dst


def test_missing_anchor_names_file_competency_and_level(tmp_path: Path) -> None:
    def drop(d):  # type: ignore[no-untyped-def]
        del d["competencies"][0]["anchors"][8]
        return d

    path = _broken_copy(tmp_path, drop)
    first = yaml.safe_load(path.read_text(encoding="utf-8"))["competencies"][0]["id"]
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    msg = err.value.message
    assert str(path) in msg and f"competencies[{first}]" in msg and "[8]" in msg


def test_weights_that_do_not_sum_to_one(tmp_path: Path) -> None:
    def skew(d):  # type: ignore[no-untyped-def]
        d["competencies"][0]["weight"] += 0.2

    with pytest.raises(ProfileError, match=r"weights sum to 1\.200"):
        load_profile(_broken_copy(tmp_path, skew))


def test_question_targeting_unknown_competency(tmp_path: Path) -> None:
    def bad(d):  # type: ignore[no-untyped-def]
        d["questions"][0]["competencies"] = ["telepathy"]

    with pytest.raises(ProfileError, match="telepathy"):
        load_profile(_broken_copy(tmp_path, bad))


def test_missing_english_text(tmp_path: Path) -> None:
    def bad(d):  # type: ignore[no-untyped-def]
        del d["questions"][1]["text"]["en"]

    with pytest.raises(ProfileError) as err:
        load_profile(_broken_copy(tmp_path, bad))
    assert "text.en" in err.value.message


def test_yaml_syntax_error_has_a_line_number(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("id: x\ntitle: {zh: 甲, en: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"line \d+"):
        load_profile(path)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    src = bundled_profiles_dir() / "retail-store-manager.yaml"
    dst = tmp_path / "renamed.yaml"
    shutil.copy(src, dst)
    with pytest.raises(ProfileError, match="file name"):
        load_profile(dst)


def test_a_broken_profile_is_skipped_and_the_rest_load(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    scan = scan_profiles([bundled_profiles_dir(), tmp_path])
    assert {p.id for p in scan.profiles} >= EXPECTED
    assert len(scan.problems) == 1 and "broken.yaml" in scan.problems[0].message
