KO = {
    # attendance
    "{program} · {when}": "{program} · {when}",
    "{when} {program} ({recorded}/{enrolled})": "{when} {program} ({recorded}/{enrolled})",
    "For example: “희망키우기 출석 김영희 이철수, 결석 최수진, 지각 정미경” or “건강댄스 다 왔어요 빼고 김영희”.":
        "예: “희망키우기 출석 김영희 이철수, 결석 최수진, 지각 정미경” 또는 “건강댄스 다 왔어요 빼고 김영희”",
    "This list is no longer open. Please start again from ✍️ Attendance.":
        "이 명단은 이제 쓸 수 없어요. ✍️ 출석 기록에서 다시 시작해 주세요.",
    "🗂 Earlier sessions": "🗂 지난 회기",
    "Which session? Tap it to see the list of names (the numbers show how many are recorded so far).":
        "어느 회기인가요? 누르면 명단이 나와요. (괄호 안 숫자는 지금까지 기록한 사람 수예요.)",
    "There are no sessions today. For an earlier session, tap 🗂 Earlier sessions.":
        "오늘은 회기가 없어요. 지난 회기는 🗂 지난 회기를 눌러 주세요.",
    "You can also type it as you would on paper.": "종이에 쓰듯이 메시지로 보내셔도 돼요.",
    "There were no sessions in the last seven days.": "지난 7일 동안 회기가 없었어요.",
    "Sessions of the last seven days. Which one?": "지난 7일 동안의 회기예요. 어느 회기인가요?",
    "Tap a name to change it: ✅ present → ⏰ late → ❌ absent → 📄 excused.":
        "이름을 누를 때마다 바뀌어요: ✅ 출석 → ⏰ 지각 → ❌ 결석 → 📄 사유결석",
    "Not saved yet: {count}. Tap 💾 Save when you are done.":
        "아직 저장 안 됨: {count}명. 다 고치셨으면 💾 저장을 눌러 주세요.",
    "Nobody is enrolled in this session.": "이 회기에 신청한 사람이 없어요.",
    "Page {page} of {pages}": "{pages}쪽 중 {page}쪽",
    "◀️ Previous": "◀️ 이전",
    "Next ▶️": "다음 ▶️",
    "✅ Everyone else present": "✅ 나머지 모두 출석",
    "💾 Save": "💾 저장",
    "🕘 Corrections made": "🕘 수정 기록",
    "This session was cancelled, so there is no attendance to take.": "취소된 회기라서 출석을 기록할 수 없어요.",
    "{header}\nThis session hasn't started yet. You can take attendance from an hour before it starts.":
        "{header}\n아직 시작하지 않은 회기예요. 시작 1시간 전부터 출석을 기록할 수 있어요.",
    "Okay, nothing was saved.": "알겠어요. 아무것도 저장하지 않았어요.",
    "The list of this session changed in the meantime. Nothing was saved; please start again.":
        "그사이 이 회기 명단이 바뀌었어요. 저장하지 않았으니 다시 시작해 주세요.",
    "Saved. {header}": "저장했어요. {header}",
    "Corrected records: {count} (the change is logged with your name).":
        "고친 기록: {count}건 (누가 고쳤는지 함께 남겨 두었어요)",
    "Nothing had changed.": "바뀐 것은 없었어요.",
    "What would you like to do next?": "다음에는 무엇을 할까요?",
    "No record of this session has been corrected.": "이 회기에서 고친 기록은 없어요.",
    "No corrections yet.": "고친 기록이 없어요.",
    "Corrections, newest first:": "고친 기록 (최근 것부터):",
    "• {when} {name}: {old} → {new} (by {staff})": "• {when} {name}: {old} → {new} ({staff} 님이 고침)",
    "{icon} {status} ({count}): {names}": "{icon} {status} ({count}명): {names}",
    "{icon} Not recorded ({count}): {names}": "{icon} 기록 안 함 ({count}명): {names}",
    "⚠️ Not on this session's list, so not saved: {names}": "⚠️ 이 회기 명단에 없어서 저장하지 않을 이름: {names}",
    "✏️ Records already saved that will change: {count}": "✏️ 이미 저장된 기록 중 바뀌는 것: {count}건",
    "Shall I save this? You can also type more names to add or change.":
        "이대로 저장할까요? 이름을 더 써서 보내시면 추가하거나 고칠 수 있어요.",
    "✅ Save": "✅ 저장",
    "📋 Fix it on the list": "📋 명단에서 고치기",
    "“{typed}” could be more than one person. Who is {status}?":
        "“{typed}”에 해당하는 분이 여러 명이에요. {status}한 분은 누구인가요?",
    "Neither of them": "둘 다 아니에요",
    "I couldn't find a session of {program} in the last two weeks. Please check the name, or tap ✍️ Attendance.":
        "최근 2주 동안 {program} 회기를 찾지 못했어요. 이름을 확인하시거나 ✍️ 출석 기록을 눌러 주세요.",
    "There are no sessions today or in the last seven days to record.": "오늘도, 지난 7일 동안도 기록할 회기가 없어요.",
    "{program} has more than one session that day. Which one?": "그날 {program} 회기가 여러 개예요. 어느 회기인가요?",
    "{program} has no session that day. Which session do you mean?":
        "그날은 {program} 회기가 없어요. 어느 회기를 말씀하시는 건가요?",
    "Which session is this for?": "어느 회기의 출석인가요?",
    "I couldn't find any names of this session's list in that. Please write the names with 출석, 지각, 결석 or 공결.":
        "이 회기 명단에 있는 이름을 찾지 못했어요. 이름과 함께 출석, 지각, 결석, 공결을 써 주세요.",
    # sessions
    "This button is no longer valid. Please start again from 🗓 Sessions.":
        "이 버튼은 이제 쓸 수 없어요. 🗓 회기 관리에서 다시 시작해 주세요.",
    "Type the date and time, for example “3월 12일 오후 2시” or “2026-03-12 14:00”.":
        "날짜와 시간을 써 주세요. 예: “3월 12일 오후 2시” 또는 “2026-03-12 14:00”",
    "There are no programs yet.": "아직 프로그램이 없어요.",
    "Which program's sessions?": "어느 프로그램의 회기를 볼까요?",
    "Coming sessions (tap one to move or cancel it):": "다가오는 회기예요. 누르면 옮기거나 취소할 수 있어요.",
    "No sessions are coming up.": "다가오는 회기가 없어요.",
    "➕ Add a session": "➕ 회기 추가",
    "⬅️ Programs": "⬅️ 프로그램 목록",
    "Enrolled: {count}": "신청한 사람: {count}명",
    "This session is cancelled.": "취소된 회기예요.",
    "This session has already started, so it can't be changed here.": "이미 시작한 회기라서 여기서 바꿀 수 없어요.",
    "🕑 Change date or time": "🕑 날짜·시간 바꾸기",
    "🚫 Cancel this session": "🚫 이 회기 취소하기",
    "⬅️ Back": "⬅️ 뒤로",
    "When is the new session of {program}?": "{program} 새 회기는 언제인가요?",
    "{program} is now on {when}. When should it move to?": "{program} 회기는 지금 {when}이에요. 언제로 옮길까요?",
    "That time has already passed. Please choose a later time.": "이미 지난 시간이에요. 더 나중 시간을 골라 주세요.",
    "Add a session of {program} on {when}?\nThe people enrolled will get a message.":
        "{when}에 {program} 회기를 추가할까요?\n신청한 분들께 알림 메시지가 가요.",
    "✅ Add": "✅ 추가하기",
    "Move {program} from {before} to {after}?\n{count} enrolled people will get a message.":
        "{program} 회기를 {before}에서 {after}(으)로 옮길까요?\n신청한 {count}명께 알림 메시지가 가요.",
    "✅ Move it": "✅ 옮기기",
    "{day} is a public holiday ({holiday}). Does the session still take place that day?":
        "{day}은 공휴일({holiday})이에요. 그래도 그날 회기를 하나요?",
    "✅ Yes, it takes place": "✅ 네, 해요",
    "✖️ No, go back": "✖️ 아니요, 돌아갈게요",
    "This program already has a session at that time. Please choose another time.":
        "그 시간에는 이미 이 프로그램 회기가 있어요. 다른 시간을 골라 주세요.",
    "This session is cancelled, so it can't be changed.": "취소된 회기라서 바꿀 수 없어요.",
    "That is the same time as now. Please choose another time.": "지금과 같은 시간이에요. 다른 시간을 골라 주세요.",
    "Added: {program} on {when}.\nMessages to enrolled people: {count}":
        "추가했어요: {when} {program}\n신청한 분들께 보낼 알림: {count}건",
    "⬅️ Back to the program": "⬅️ 프로그램으로 돌아가기",
    "Moved: {program} from {before} to {after}.\nMessages to enrolled people: {count}":
        "옮겼어요: {program} {before} → {after}\n신청한 분들께 보낼 알림: {count}건",
    "Cancel {program} on {when}?\n{count} enrolled people will get a message.":
        "{when} {program} 회기를 취소할까요?\n신청한 {count}명께 알림 메시지가 가요.",
    "🚫 Yes, cancel it": "🚫 네, 취소해요",
    "✖️ No, keep it": "✖️ 아니요, 그대로 둘게요",
    "Cancelled: {program} on {when}.\nMessages to enrolled people: {count}":
        "취소했어요: {when} {program}\n신청한 분들께 보낼 알림: {count}건",
    "I couldn't read a date and time in that.": "날짜와 시간을 알아보지 못했어요.",
    "🆕 A new session of {program} was added: {when}.": "🆕 {program} 회기가 새로 생겼어요: {when}",
    "🔁 {program} has moved.\nBefore: {before}\nNow: {after}":
        "🔁 {program} 일정이 바뀌었어요.\n전: {before}\n바뀐 시간: {after}",
    # staff accounts
    "active": "사용 중",
    "switched off": "사용 중지",
    "• {name} ({title}): {state}, {count} participants in their care": "• {name} ({title}): {state}, 담당 {count}명",
    "(not connected to Telegram yet)": "(아직 텔레그램 연결 안 됨)",
    "Staff accounts:": "직원 계정:",
    "Tap a name to switch the account off or on again.": "이름을 누르면 계정을 사용 중지하거나 다시 쓸 수 있게 해요.",
    "🚫 {name}": "🚫 {name}",
    "↩️ {name}": "↩️ {name}",
    "This button is no longer valid. Type /직원 to see the list again.":
        "이 버튼은 이제 쓸 수 없어요. /직원 을 입력하시면 목록이 다시 나와요.",
    "⬅️ Staff list": "⬅️ 직원 목록",
    "Switch off the account of {name}?\nFrom their next message on, they can't use the bot. "
    "Participants in their care: {count}. Please give them a new worker.":
        "{name} 님의 계정을 사용 중지할까요?\n다음 메시지부터 이 봇을 쓸 수 없어요. "
        "담당 참여주민 {count}명은 새 담당자를 정해 주세요.",
    "🚫 Switch it off": "🚫 사용 중지하기",
    "The account of {name} is switched off.": "{name} 님의 계정을 사용 중지했어요.",
    "The account of {name} works again.": "{name} 님의 계정을 다시 쓸 수 있어요.",
    "I couldn't find that account.": "그 계정을 찾지 못했어요.",
    "Sorry, you can't change that account.": "죄송해요, 그 계정은 바꿀 수 없어요.",
    # help
    "Please use this in your private chat with me: it shows participants' names.":
        "참여주민 이름이 나오는 기능이라 저와의 1:1 대화에서만 쓸 수 있어요.",
    "• /직원: staff accounts; switch one off when someone leaves the center.":
        "• /직원: 직원 계정을 봐요. 센터를 떠난 직원의 계정은 사용 중지해 주세요.",
    "Staff help\n"
    "• 📋 Today's sessions: the sessions held today.\n"
    "• ✍️ Attendance: pick a session and tap each name, or just type it as on paper, "
    "e.g. “희망키우기 출석 김영희 이철수, 결석 최수진” or “건강댄스 다 왔어요 빼고 김영희”. "
    "You see a preview before anything is saved; later corrections are logged with your name.\n"
    "• 🗓 Sessions: add a session to a program, move one or cancel one; enrolled people are told.\n"
    "• 👤 My info: your account and caseload.\n"
    "• ⚙️ Settings: the language.\n"
    "Type /menu at any time to see the menu again.":
        "직원 도움말\n"
        "• 📋 오늘 일정: 오늘 열리는 회기예요.\n"
        "• ✍️ 출석 기록: 회기를 고르고 이름을 누르거나, 종이에 쓰듯이 메시지로 보내세요. "
        "예: “희망키우기 출석 김영희 이철수, 결석 최수진” 또는 “건강댄스 다 왔어요 빼고 김영희”. "
        "저장하기 전에 미리 보여 드리고, 나중에 고친 기록은 고친 사람 이름과 함께 남아요.\n"
        "• 🗓 회기 관리: 프로그램에 회기를 추가하거나, 옮기거나, 취소해요. 신청한 분들께 알려 드려요.\n"
        "• 👤 내 정보: 내 계정과 담당 참여주민이에요.\n"
        "• ⚙️ 설정: 언어를 바꿔요.\n"
        "언제든 /menu 를 입력하면 메뉴가 다시 나와요.",
}
