KO = {
    # case notes
    "For privacy, counselling notes work only in a private chat with me.":
        "개인정보 보호를 위해 상담 기록은 저와의 1:1 대화에서만 쓸 수 있어요.",
    "Counselling notes are not set up yet (there is no encryption key). Please ask the administrator.":
        "상담 기록 기능이 아직 준비되지 않았어요(암호화 키가 없어요). 관리자에게 문의해 주세요.",
    "This button is no longer valid. Please start again from 📝 Counselling note.":
        "지난 버튼이에요. 📝 상담 기록에서 다시 시작해 주세요.",
    "Only the participant's own case worker and the managers can read or write their counselling notes.":
        "상담 기록은 그 참여주민의 담당 실무자와 센터장·실장만 보고 쓸 수 있어요.",
    "{name} hasn't agreed to counselling records being kept here, so I can't save a note.\n"
    "Please keep your notes the usual way for now. If {name} agrees later, you can write notes here.":
        "{name}님은 상담 기록 보관에 동의하지 않으셔서 여기에는 기록을 남길 수 없어요.\n"
        "지금은 평소 방식으로 기록해 주세요. {name}님이 나중에 동의하시면 여기에 쓸 수 있어요.",
    "Whose counselling note is it? Type the name (or part of it).":
        "누구의 상담 기록인가요? 이름(또는 이름 일부)을 입력해 주세요.",
    "Or choose from the people in your care:": "아니면 담당하시는 분 중에서 골라 주세요:",
    "✖️ Cancel": "✖️ 취소",
    "There are {count} people with that name. Whose notes?": "그 이름으로 {count}분이 있어요. 누구의 기록을 볼까요?",
    "I couldn't find “{name}”. Please check the name and type it again.":
        "“{name}”님을 찾지 못했어요. 이름을 확인하고 다시 입력해 주세요.",
    "I couldn't find “{name}” among the people in your care. Please check the name and type it again.":
        "담당하시는 분 중에 “{name}”님이 없어요. 이름을 확인하고 다시 입력해 주세요.",
    "That message looks like it contains a resident registration number. "
    "We never keep those, so I didn't save anything and I deleted your message from this chat.\n"
    "Please write it again without the number.":
        "방금 메시지에 주민등록번호로 보이는 숫자가 있어요. 주민등록번호는 보관하지 않아서 "
        "아무것도 저장하지 않았고, 보내신 메시지는 대화방에서 지웠어요.\n번호를 빼고 다시 써 주세요.",
    "✍️ Write a note": "✍️ 기록 쓰기",
    "📖 Counselling notes · {person}": "📖 상담 기록 · {person}",
    "Case worker: {name}": "담당 실무자: {name}",
    "not set": "정하지 않음",
    "Current risk grade: {grade}": "현재 위기등급: {grade}",
    "There are no notes yet.": "아직 기록이 없어요.",
    "Risk {grade}": "위기등급 {grade}",
    "got a job": "취업함",
    "next: {day}": "다음 상담: {day}",
    "(This note can't be opened with the current key.)": "(지금 쓰는 암호화 키로는 이 기록을 열 수 없어요.)",
    "Showing the newest {shown} of {total} notes.": "전체 {total}건 중 최근 {shown}건이에요.",
    "I stopped the counselling note; nothing was saved. Please tap the button you wanted once more.":
        "상담 기록 쓰기를 멈췄어요. 저장된 것은 없어요. 원하시는 버튼을 한 번 더 눌러 주세요.",
    "To keep it private, I deleted that message. Please tap one of the buttons above.":
        "개인정보 보호를 위해 방금 메시지는 지웠어요. 위의 버튼 중 하나를 눌러 주세요.",
    "I found {count} people. Which one?": "{count}분을 찾았어요. 어느 분인가요?",
    "📖 Recent notes": "📖 최근 기록 보기",
    "{person}. What kind of counselling was it?": "{person}. 어떤 상담이었나요?",
    "Please type the note as one message of up to {limit} characters.":
        "기록은 {limit}자 이내의 메시지 하나로 써 주세요.",
    "That message is longer than {limit} characters, so I didn't keep it. To keep it private, I deleted it "
    "from this chat. Please send it in a shorter form.":
        "메시지가 {limit}자보다 길어서 저장하지 않았어요. 개인정보 보호를 위해 대화방에서 지웠어요. "
        "조금 줄여서 다시 보내 주세요.",
    "Got it. Did they start a job?": "알겠어요. 취업하셨나요?",
    "✅ Yes, they got a job": "✅ 네, 취업했어요",
    "Not yet": "아직이요",
    "Got it. What is their risk grade now?": "알겠어요. 지금 위기등급은 어떤가요?",
    "In 1 week": "1주 후",
    "In 2 weeks": "2주 후",
    "In 1 month": "1달 후",
    "No date yet": "아직 안 정했어요",
    "When is the next counselling? Tap a button or type a date (for example 3월 20일).":
        "다음 상담은 언제인가요? 버튼을 누르거나 날짜를 입력해 주세요(예: 3월 20일).",
    "I couldn't read that date. Please type it like 3월 20일 or 2026-03-20, or tap a button.":
        "날짜를 알아보지 못했어요. 3월 20일이나 2026-03-20처럼 입력하거나 버튼을 눌러 주세요.",
    "That date has already passed. Please choose a later date.": "이미 지난 날짜예요. 오늘 이후 날짜를 골라 주세요.",
    "That is more than a year away. Please choose a nearer date.": "1년보다 먼 날짜예요. 더 가까운 날짜를 골라 주세요.",
    "Saved the note ({kind}) for {name}.": "{name}님의 상담 기록({kind})을 저장했어요.",
    "I deleted your message with the note from this chat.": "기록이 담긴 메시지는 대화방에서 지웠어요.",
    "Next counselling: {day}": "다음 상담: {day}",
    "Stopped. Nothing was saved.": "멈췄어요. 저장된 것은 없어요.",
    "Please type the note for {name} ({kind}) in one message.\n"
    "• When it is saved, I will delete your message from this chat.\n"
    "• Please don't write resident registration numbers.\n"
    "• Up to {limit} characters.":
        "{name}님의 상담 기록({kind})을 메시지 하나로 써 주세요.\n"
        "• 저장하면 보내신 메시지는 대화방에서 지울게요.\n"
        "• 주민등록번호는 쓰지 마세요.\n"
        "• {limit}자까지 쓸 수 있어요.",
    "Initial consultation": "초기상담",
    "Case management": "사례관리상담",
    "Resource linkage": "자원연계",
    "Employment counselling": "취업상담",
    "Crisis intervention": "위기개입",
    "A · crisis — act now": "A 위기 — 즉시 개입",
    "B · watch — close care": "B 주의 — 집중 관리",
    "C · stable — regular care": "C 안정 — 정기 관리",
    # notices
    "people enrolled in {program}": "{program} 신청자",
    "members of the {unit} work unit": "{unit} 사업단",
    "all staff": "직원 모두",
    "all participants": "참여주민 모두",
    "This button is no longer valid. Please start again from 📢 Notice.":
        "지난 버튼이에요. 📢 공지에서 다시 시작해 주세요.",
    "Notices. What would you like to do?": "공지예요. 무엇을 할까요?",
    "✏️ Write a new notice": "✏️ 새 공지 쓰기",
    "📬 Sent notices": "📬 보낸 공지",
    "I stopped the notice; nothing was sent. Please tap the button you wanted once more.":
        "공지 쓰기를 멈췄어요. 보낸 것은 없어요. 원하시는 버튼을 한 번 더 눌러 주세요.",
    "I couldn't read that time. Please type it like “내일 오전 9시” or “3월 5일 오후 2시”.":
        "시간을 알아보지 못했어요. “내일 오전 9시”나 “3월 5일 오후 2시”처럼 입력해 주세요.",
    "Who should get this notice?": "누구에게 보낼까요?",
    "👥 All participants": "👥 참여주민 모두",
    "📚 People in a program": "📚 프로그램 신청자",
    "🏭 A work unit": "🏭 사업단",
    "🧑‍💼 All staff": "🧑‍💼 직원 모두",
    "Here is how it will look:": "받는 분에게는 이렇게 보여요:",
    "To: {audience}": "받는 분: {audience}",
    "{count} people will get it.": "{count}분이 받아요.",
    "{count} people blocked the bot and won't get it.": "{count}분은 봇을 차단해서 받지 못해요.",
    "{count} people haven't connected Telegram and won't get it.": "{count}분은 텔레그램을 연결하지 않아서 받지 못해요.",
    "Please tell them another way (a call or a paper notice).": "그분들께는 전화나 종이 안내문으로 알려 주세요.",
    "📨 Send now": "📨 지금 보내기",
    "🕒 Send later": "🕒 시간 정해서 보내기",
    "Nobody in this group can get messages from me. Please choose other people.":
        "이 중에는 메시지를 받을 수 있는 분이 없어요. 다른 대상을 골라 주세요.",
    "👥 Change who gets it": "👥 받는 분 바꾸기",
    "📢 Notice by {author}": "📢 {author}님이 보낸 공지",
    "Cancelled before it was sent.": "보내기 전에 취소했어요.",
    "Scheduled for {when}": "보낼 시간: {when}",
    "Sent {when}": "보낸 시간: {when}",
    "✅ Delivered {sent} · ⏳ Waiting {pending} · ⚠️ Failed {failed}":
        "✅ 전달 {sent} · ⏳ 대기 {pending} · ⚠️ 실패 {failed}",
    "📵 Can't be reached {unreachable} · 🔌 Not connected {unbound}":
        "📵 받을 수 없음 {unreachable} · 🔌 미연결 {unbound}",
    "I can schedule a notice up to 60 days ahead. Please choose a nearer time.":
        "공지는 60일 뒤까지만 예약할 수 있어요. 더 가까운 시간을 골라 주세요.",
    "This notice was already sent or cancelled.": "이 공지는 이미 보냈거나 취소했어요.",
    "Scheduled. I will send it {when}.": "예약했어요. {when}에 보낼게요.",
    "Sending now.": "지금 보내고 있어요.",
    "You can check how it went in 📢 Notice → 📬 Sent notices.": "전달 결과는 📢 공지 → 📬 보낸 공지에서 볼 수 있어요.",
    "📬 Delivery": "📬 전달 결과",
    "✖️ Cancel the scheduled notice": "✖️ 예약 취소",
    "Please type the notice as people should read it, in one message.":
        "받는 분이 읽을 공지 내용을 메시지 하나로 써 주세요.",
    "Stopped. Nothing was sent.": "멈췄어요. 보낸 것은 없어요.",
    "Which program?": "어느 프로그램인가요?",
    "Which work unit?": "어느 사업단인가요?",
    "When should I send it? Tap a time or type one (for example “내일 오전 9시”).":
        "언제 보낼까요? 시간을 누르거나 입력해 주세요(예: “내일 오전 9시”).",
    "That time has already passed. Please choose another time.": "이미 지난 시간이에요. 다른 시간을 골라 주세요.",
    "🔄 Refresh": "🔄 새로 보기",
    "◀ Sent notices": "◀ 보낸 공지",
    "The scheduled notice was cancelled; nobody will get it.": "예약한 공지를 취소했어요. 아무도 받지 않아요.",
    "No notices have been sent yet.": "아직 보낸 공지가 없어요.",
    "Sent notices, newest first (delivered / everyone). Tap one for details.":
        "보낸 공지예요. 최근 것부터 보여요(전달 / 전체). 누르면 자세히 볼 수 있어요.",
    "📢 Notice from {center}": "📢 {center} 공지",
    # exports
    "This button is no longer valid. Please start again from 📤 Export.":
        "지난 버튼이에요. 📤 내보내기에서 다시 시작해 주세요.",
    "📚 Attendance of a program": "📚 프로그램별 출석",
    "🗓 Attendance of a month": "🗓 월별 출석",
    "📊 Targets and results": "📊 목표 대비 성과",
    "What would you like as an Excel file?": "어떤 내용을 엑셀 파일로 받을까요?",
    "{year}. {month}": "{year}년 {month}월",
    "Which month?": "몇 월인가요?",
    "Attendance, {rows} people.": "출석부예요. {rows}명이에요.",
    "Attendance records of {year}. {month}: {rows}.": "{year}년 {month}월 출석 기록 {rows}건이에요.",
    "Targets and results for {year}.": "{year}년 목표 대비 성과예요.",
    "Present": "출석",
    "Late": "지각",
    "Absent": "결석",
    "Excused": "사유결석",
    "by message": "메시지",
    "by buttons": "버튼",
    "check-in": "현장 확인",
    "Name": "이름",
    "Work unit": "사업단",
    "Hours attended": "출석 시간",
    "Completed": "수료",
    "Register": "출석부",
    "Records": "출석 기록",
    "Date": "날짜",
    "Time": "시간",
    "Program": "프로그램",
    "Attendance": "출석 여부",
    "Hours": "교육 시간",
    "Recorded how": "기록 방법",
    "Recorded by": "기록한 사람",
    "attendance-{program}-{day}.xlsx": "출석부-{program}-{day}.xlsx",
    "By program": "프로그램별",
    "Sessions held": "진행 회기",
    "attendance-{month}.xlsx": "출석기록-{month}.xlsx",
    "Targets {year}": "{year}년 목표",
    "Area": "구분",
    "Target item": "세부목표",
    "Target": "목표량",
    "Unit": "단위",
    "Achieved": "성과",
    "Achievement rate (%)": "달성율(%)",
    "As of {day}": "{day} 기준",
    "targets-{year}.xlsx": "목표성과-{year}.xlsx",
    # reports
    "people": "명",
    "cases": "건",
    "times": "회",
    "There are no targets for {year} yet.": "{year}년 목표가 아직 없어요.",
    "📤 As an Excel file": "📤 엑셀 파일로 받기",
    "◀ Week before": "◀ 지난주",
    "Next week ▶": "다음 주 ▶",
    "That button no longer works. Please type /요약 again.": "지난 버튼이에요. /요약을 다시 입력해 주세요.",
    "Targets and results %(year)s": "%(year)s년 목표 대비 성과",
    "As of %(day)s · %(elapsed)s%% of the year has passed": "%(day)s 기준 · 올해의 %(elapsed)s%%가 지났어요",
    "Item: result / target (rate)": "세부목표: 성과 / 목표량 (달성율)",
    # weekly summary
    "Weekly summary · %(center)s": "주간 요약 · %(center)s",
    "Sessions": "회기",
    "Held %(held)s · cancelled %(cancelled)s": "진행 %(held)s회 · 취소 %(cancelled)s회",
    "Attendance not recorded yet: %(count)s sessions": "출석을 아직 기록하지 않은 회기: %(count)s회",
    "Attendance rate: %(rate)s%%": "출석률: %(rate)s%%",
    "not recorded": "기록 없음",
    "Absent twice or more in a row": "2회 이상 연속 결석",
    "%(count)s times": "%(count)s회",
    "worker %(worker)s": "담당 %(worker)s",
    "Counselling notes: %(count)s": "상담 기록: %(count)s건",
    "Sign-ups": "신청",
    "New sign-ups: %(enrolled)s enrolled · %(waiting)s on a waiting list":
        "새 신청: 등록 %(enrolled)s명 · 대기 %(waiting)s명",
    "%(program)s: %(count)s waiting": "%(program)s: %(count)s명 대기",
    "Follow-ups overdue": "다음 상담 날짜가 지난 분",
    "None.": "없어요.",
    "Can't be reached (blocked the bot)": "연락이 닿지 않는 분 (봇 차단)",
    "Targets %(year)s (year %(elapsed)s%% gone)": "%(year)s년 목표 (올해 %(elapsed)s%% 지남)",
    "Next week": "다음 주",
    "%(count)s enrolled": "%(count)s명 신청",
    "No sessions.": "회기가 없어요.",
}
