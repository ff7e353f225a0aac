KO = {
    # hamkke unit …
    "Work unit added: {name}": "사업단을 만들었어요: {name}",
    "Work unit renamed: {old} → {new}": "사업단 이름을 바꿨어요: {old} → {new}",
    "Work unit “{name}” is already on; nothing changed.": "“{name}” 사업단은 이미 운영 중이에요. 바뀐 것은 없어요.",
    "Work unit “{name}” is already off; nothing changed.": "“{name}” 사업단은 이미 중단되어 있어요. 바뀐 것은 없어요.",
    "Work unit “{name}” is on again: new programs can be for it.":
        "“{name}” 사업단을 다시 운영해요. 새 프로그램에서 이 사업단을 고를 수 있어요.",
    "Work unit “{name}” is off: new programs can no longer be for it. Its participants and programs stay as "
    "they are.":
        "“{name}” 사업단을 중단했어요. 이제 새 프로그램에서는 고를 수 없어요. 소속 참여주민과 프로그램은 그대로예요.",
    "No work units yet. Add one with: hamkke unit add NAME --kind 시장형":
        "아직 사업단이 없어요. 이렇게 추가해 주세요: hamkke unit add 이름 --kind 시장형",
    "Status": "상태",
    "Participants": "참여주민",
    "Programs": "프로그램",
    "operating": "운영 중",
    "stopped": "운영 중단",
    "A work unit's name must be 1 to {max} characters on one line.": "사업단 이름은 한 줄로 1~{max}자여야 해요.",
    "There is already a work unit called “{name}”.": "“{name}” 사업단이 이미 있어요.",
    "Unknown kind of work unit. Use 근로유지형, 사회서비스형 or 시장형.":
        "모르는 사업단 유형이에요. 근로유지형, 사회서비스형, 시장형 중에서 골라 주세요.",
    # hamkke target …
    "People served this year: active participants and anyone who attended this year":
        "올해 참여한 주민: 지금 참여 중인 주민과 올해 출석 기록이 있는 주민",
    "Participants with an initial consultation (초기상담) note this year": "올해 초기상담 기록이 있는 참여주민",
    "Participants with a case management (사례관리상담) note this year": "올해 사례관리상담 기록이 있는 참여주민",
    "Active participants whose current risk grade (위기등급) is A": "지금 위기등급이 A형인 참여주민",
    "Active participants whose current risk grade (위기등급) is B": "지금 위기등급이 B형인 참여주민",
    "Active participants whose current risk grade (위기등급) is C": "지금 위기등급이 C형인 참여주민",
    "Case management notes (사례관리상담) written this year": "올해 쓴 사례관리상담 기록 건수",
    "Resource link notes (자원연계) written this year": "올해 쓴 자원연계 기록 건수",
    "Participants whose employment note this year records a job taken (취업성공전환)":
        "올해 취업상담 기록에 취업했다고 적힌 참여주민(취업성공전환)",
    "Participants who completed basic education (주민기초교육) this year": "올해 주민기초교육을 수료한 참여주민",
    "Participants in special education (특성별 교육) this year": "올해 특성별 교육에 참여한 주민",
    "Participants in leader training (주민리더양성) this year": "올해 주민리더양성 과정에 참여한 주민",
    "Participants in a club (동아리) this year": "올해 동아리에 참여한 주민",
    "Metric": "지표",
    "What it counts": "세는 것",
    "Rate": "달성율",
    "Set a target: hamkke target set METRIC VALUE --section … --label …":
        "목표 정하기: hamkke target set 지표 목표량 --section 구분 --label 세부목표",
    "No targets for {year} yet. Set them one by one (hamkke target set METRIC VALUE --section … --label …; the "
    "metrics: hamkke target metrics) or carry a year over (hamkke target copy {last} {year}).":
        "아직 {year}년 목표가 없어요. 하나씩 정하거나(hamkke target set 지표 목표량 --section 구분 --label 세부목표, "
        "지표 목록은 hamkke target metrics) 지난해 목표를 옮겨 적어 주세요(hamkke target copy {last} {year}).",
    "Targets for {year}, as of {day} (year elapsed: {elapsed}%)":
        "{year}년 목표량 ({day} 기준, 올해 {elapsed}% 지남)",
    "Target for {year} added: {label} {value}{unit} ({metric})": "{year}년 목표를 추가했어요: {label} {value}{unit} ({metric})",
    "Target for {year} changed: {label} {value}{unit} ({metric})": "{year}년 목표를 고쳤어요: {label} {value}{unit} ({metric})",
    "Target for {year} removed: {label} ({metric})": "{year}년 목표에서 뺐어요: {label} ({metric})",
    "Targets carried from {source} into {year}: {count}": "{source}년 목표를 {year}년으로 옮겨 적었어요: {count}개",
    "Already in {year}, left as they were: {count}": "{year}년에 이미 있어서 그대로 둔 목표: {count}개",
    "The year must be between {min} and {max}.": "연도는 {min}~{max} 사이여야 해요.",
    "Unknown metric “{metric}”. See the ones you can use with: hamkke target metrics":
        "“{metric}”은(는) 모르는 지표예요. 쓸 수 있는 지표는 hamkke target metrics로 볼 수 있어요.",
    "The target must be a whole number from 0 to {max}.": "목표량은 0부터 {max}까지의 정수로 써 주세요.",
    "Unknown unit. Use 명, 건 or 회.": "모르는 단위예요. 명, 건, 회 중에서 골라 주세요.",
    "Give the section (구분) in 1 to {max} characters on one line: --section …":
        "구분을 한 줄로 1~{max}자 써 주세요(--section …).",
    "Give the target's words (세부목표) in 1 to {max} characters on one line: --label …":
        "세부목표를 한 줄로 1~{max}자 써 주세요(--label …).",
    "Copy the targets into another year than the one they come from.": "옮겨 적을 연도를 원래 연도와 다르게 골라 주세요.",
    "Someone changed the targets at the same moment. Please run it again.":
        "같은 때에 다른 분이 목표를 바꿨어요. 한 번 더 실행해 주세요.",
    "There are no targets for {year} to copy.": "옮겨 적을 {year}년 목표가 없어요.",
    "There is no target for “{metric}” in {year}.": "{year}년 목표에 “{metric}” 지표가 없어요.",
    "There is no active staff member called “{name}”.": "“{name}” 직원을 찾지 못했어요.",
    "Two active staff members are called “{name}”. Invite without --worker for now.":
        "“{name}” 직원이 두 명이에요. 지금은 --worker 없이 초대해 주세요.",
    "The work unit “{name}” is switched off. Switch it on first: hamkke unit on {name}":
        "“{name}” 사업단은 중단되어 있어요. 먼저 다시 운영해 주세요: hamkke unit on {name}",
}
