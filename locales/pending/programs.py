KO = {
    # hamkke program …: refusals (one line each)
    "Unknown program kind. Use education, club, class or meeting.":
        "모르는 종류예요. education(교육), club(동아리), class(강좌), meeting(회의) 중에서 골라 주세요.",
    "The name must be 1 to {max} characters on one line.": "이름은 한 줄로 1~{max}자여야 해요.",
    "There is already a program with that name.": "같은 이름의 프로그램이 이미 있어요.",
    "The short name must be 1 to {max} characters on one line.": "짧은 이름은 한 줄로 1~{max}자여야 해요.",
    "Another active program already uses that short name.": "다른 프로그램이 이미 그 짧은 이름을 쓰고 있어요.",
    "The description is too long (at most {max} characters).": "설명이 너무 길어요({max}자까지).",
    "The place must be at most {max} characters on one line.": "장소는 한 줄로 {max}자까지 쓸 수 있어요.",
    "The instructor's name must be at most {max} characters on one line.":
        "강사 이름은 한 줄로 {max}자까지 쓸 수 있어요.",
    "The capacity must be 1 or more (leave it out for no limit).":
        "정원은 1명 이상이어야 해요(제한이 없으면 빼 주세요).",
    "The completion hours must be more than 0.": "수료 시간은 0보다 커야 해요.",
    "The completion percent must be between 1 and 100.": "수료 출석률은 1~100 사이여야 해요.",
    "Give completion as hours or as a percent, not both.": "수료 기준은 시간과 출석률 중 하나만 정해 주세요.",
    "The sign-up deadline must be in the future.": "신청 마감은 앞으로의 날짜여야 해요.",
    "The last day of the program must not be before its first day.": "프로그램 종료일이 시작일보다 빠를 수 없어요.",
    "That category does not fit this kind of program: basic and special education are for education programs, "
    "and meetings have no category.":
        "이 종류의 프로그램에는 맞지 않는 구분이에요. 기초교육과 특성별 교육은 교육 프로그램만, 회의는 구분 없이 둬요.",
    "Give the weekdays like mon,wed (or 월,수).": "요일은 mon,wed(또는 월,수)처럼 써 주세요.",
    "Each session must be more than 0 and at most {max} hours long.": "회기 시간은 0보다 크고 {max}시간 이하여야 해요.",
    "The last day must not be before the first day, and a series covers at most three years.":
        "마지막 날이 첫날보다 빠를 수 없고, 한 번에 3년까지만 만들 수 있어요.",
    "The last day has already passed.": "마지막 날이 이미 지났어요.",
    "That is too many sessions at once (at most {max}).": "한 번에 만들기에는 회기가 너무 많아요({max}개까지).",
    "There is no work unit called “{name}”.": "“{name}” 사업단이 없어요.",
    "There is no program {id}.": "{id}번 프로그램이 없어요.",
    "That could not be done ({reason}).": "처리하지 못했어요({reason}).",
    "Unknown category. Use basic_education, special_education, leader_training or none.":
        "모르는 구분이에요. basic_education(기초교육), special_education(특성별 교육), "
        "leader_training(주민리더양성), none 중에서 골라 주세요.",
    "Write dates like 2026-12-01 (not “{value}”).": "날짜는 2026-12-01처럼 써 주세요(“{value}” 말고요).",
    "Write the deadline like 2026-12-10 or 2026-12-10 18:00 (not “{value}”).":
        "마감은 2026-12-10 또는 2026-12-10 18:00처럼 써 주세요(“{value}” 말고요).",
    "Write the time like 14:00 (not “{value}”).": "시간은 14:00처럼 써 주세요(“{value}” 말고요).",
    "Nothing to change: give at least one option (see hamkke program set --help).":
        "바꿀 내용이 없어요. 옵션을 하나 이상 주세요(hamkke program set --help 참고).",
    # hamkke program …: results
    "Program {id} added: {name}": "{id}번 프로그램을 만들었어요: {name}",
    "Next, its sessions: hamkke program sessions {id} --weekly mon,wed --time 14:00 --from {day} --until …":
        "다음은 회기예요: hamkke program sessions {id} --weekly mon,wed --time 14:00 --from {day} --until …",
    "No programs yet. Add one with: hamkke program add --kind education --name … --short …":
        "아직 프로그램이 없어요. 이렇게 만들어 주세요: hamkke program add --kind education --name … --short …",
    "ID": "번호",
    "Kind": "종류",
    "Short name": "짧은 이름",
    "Capacity": "정원",
    "Enrolled": "신청",
    "Next session": "다음 회기",
    "{enrolled} (+{waiting} waiting)": "{enrolled} (대기 {waiting})",
    "{name} (inactive)": "{name} (중단)",
    "everyone": "전체",
    "no limit": "제한 없음",
    "Program {id} updated: {name}": "{id}번 프로그램을 고쳤어요: {name}",
    "People moved from the waitlist into the new seats: {count}": "대기에서 새 자리로 옮겨진 분: {count}명",
    "Sessions created: {count}": "만든 회기: {count}개",
    "From {first} to {last}.": "{first}부터 {last}까지예요.",
    "Already there, left as they were: {count}": "이미 있어서 그대로 둔 회기: {count}개",
    "Skipped, public holidays:": "공휴일이라 건너뛴 날:",
    "• {day} {holiday}": "• {day} {holiday}",
}
