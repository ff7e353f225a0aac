"""The center's own targets (2016 사업계획, 세부추진사업): section, metric, the plan's words, value, unit.

The demo loads them as this year's targets; ``target_admin`` names each metric with the plan's words.
"""

from __future__ import annotations

TARGETS = [
    ("사업성과", "participants", "참여인원", 130, "명"),
    ("초기상담", "initial_consultations", "초기상담", 80, "명"),
    ("사례관리", "case_management", "사례관리 참여자", 100, "명"),
    ("사례관리", "risk_a", "위기등급 A형", 20, "명"),
    ("사례관리", "risk_b", "위기등급 B형", 30, "명"),
    ("사례관리", "risk_c", "위기등급 C형", 50, "명"),
    ("사례관리 성과", "case_consultations", "사례관리상담", 208, "건"),
    ("사례관리 성과", "resource_links", "지역자원연계", 24, "건"),
    ("사례관리 성과", "employment", "취업성공전환", 24, "명"),
    ("교육훈련", "basic_education", "기초교육 수료", 80, "명"),
    ("교육훈련", "special_education", "특성별 교육", 80, "명"),
    ("교육훈련", "leader_training", "주민리더양성", 20, "명"),
    ("주민자치", "clubs", "주민동아리", 20, "명"),
]
