"""The consent notice a candidate reads before capture, built from the compliance profile."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.compliance import ComplianceProfile
from app.core.domain import ConsentPurpose


@dataclass(frozen=True)
class NoticeSection:
    purpose: ConsentPurpose | None  # None: information only, nothing to choose
    title: str
    text: str


@dataclass(frozen=True)
class Notice:
    version: str
    lang: str
    sections: list[NoticeSection]

    @property
    def purposes(self) -> list[ConsentPurpose]:
        return [s.purpose for s in self.sections if s.purpose is not None]


def consent_notice(profile: ComplianceProfile, lang: str, hub_url: str = "") -> Notice:
    """Plain-language notice; its version changes whenever the profile's wording may."""
    zh = lang.startswith("zh")
    r = profile.retention_days
    cues_allowed = profile.cues.store
    weight = profile.cues.delivery_dimension.max_weight
    s: list[NoticeSection] = []
    if zh:
        s.append(
            NoticeSection(
                ConsentPurpose.RECORDING,
                "录音录像",
                f"面试过程的原始音视频（不含任何分析叠加层）保存在面试官的这台电脑上，"
                f"保存 {r.recordings} 天后自动删除。",
            )
        )
        s.append(
            NoticeSection(
                ConsentPurpose.AI_CONTENT,
                "AI 分析回答内容",
                "在本机运行的模型把您的回答转写成文字，并对照岗位胜任力标准找出证据（例如具体事例、"
                "本人行动和结果），给出参考等级。AI 建议仅供参考，由面试官作出评分和决定，系统不会"
                "自动淘汰任何人。不同意此项不影响正常面试。",
            )
        )
        if cues_allowed:
            s.append(
                NoticeSection(
                    ConsentPurpose.CAMERA_VOICE_CUES,
                    "摄像头与声音信号（单独同意）",
                    f"经您单独同意，可记录可观察的信号（是否注视镜头、语速、停顿、手部动作），"
                    f"作为明确标注的“表达”维度，权重不超过 {weight:.0%}。不做情绪识别，不给出性格标签。"
                    f"这些信号保存 {r.derived_features} 天。",
                )
            )
        else:
            s.append(
                NoticeSection(
                    None,
                    "摄像头与声音信号",
                    "摄像头仅用于检查画面质量（人脸是否在画面中），不保存、不评分，不做任何情绪识别。",
                )
            )
        where = (
            f"面试结果会同步到贵公司的 RoundTwo 中心服务器（{hub_url}），不会提供给第三方。"
            if hub_url
            else "数据仅保存在本机，不会上传。"
        )
        s.append(NoticeSection(ConsentPurpose.SYNC_TO_HUB, "数据去向", where))
        s.append(
            NoticeSection(
                None,
                "您的权利",
                f"您可以随时撤回同意；撤回后相应的录制和分析立即停止。您可以要求删除个人数据，"
                f"我们会在 {profile.deletion_request_deadline_days} 天内从所有设备和服务器上删除。"
                f"候选人记录最长保存 {r.candidate_record} 天。",
            )
        )
    else:
        s.append(
            NoticeSection(
                ConsentPurpose.RECORDING,
                "Recording",
                "The raw audio and video of the interview (without any analysis overlays) are kept "
                f"on the interviewer's laptop and deleted automatically after {r.recordings} days.",
            )
        )
        s.append(
            NoticeSection(
                ConsentPurpose.AI_CONTENT,
                "AI analysis of your answers",
                "Models running on this laptop transcribe your answers and look for evidence against "
                "the job's competency standards (specific examples, your own actions, results) to "
                "suggest a level. Suggestions are advisory: the interviewers rate and decide, and "
                "nobody is rejected automatically. Declining this does not affect the interview.",
            )
        )
        if cues_allowed:
            s.append(
                NoticeSection(
                    ConsentPurpose.CAMERA_VOICE_CUES,
                    "Camera and voice signals (separate consent)",
                    "With your separate consent, observable signals (looking at the camera, speaking "
                    "rate, pauses, hand movement) may be stored as a clearly labelled 'delivery' "
                    f"dimension weighing at most {weight:.0%}. No emotion recognition and no "
                    f"personality labels. These signals are kept for {r.derived_features} days.",
                )
            )
        else:
            s.append(
                NoticeSection(
                    None,
                    "Camera and voice signals",
                    "The camera is used only to check the picture (is a face in frame); nothing is "
                    "stored or scored, and there is no emotion recognition of any kind.",
                )
            )
        where = (
            f"Interview results are synced to your company's RoundTwo hub ({hub_url}) and "
            "are not shared with third parties."
            if hub_url
            else "Data stays on this laptop and is not uploaded."
        )
        s.append(NoticeSection(ConsentPurpose.SYNC_TO_HUB, "Where your data goes", where))
        s.append(
            NoticeSection(
                None,
                "Your rights",
                "You can withdraw consent at any time; recording and analysis for that purpose stop "
                "at once. You can ask for your personal data to be deleted: it is removed from every "
                f"device and the hub within {profile.deletion_request_deadline_days} days. Candidate "
                f"records are kept for at most {r.candidate_record} days.",
            )
        )
    version = f"{profile.id}.v{profile.version}.{profile.notice_version}.{'zh' if zh else 'en'}"
    return Notice(version, "zh" if zh else "en", s)
