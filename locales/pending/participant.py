KO = {
    # enrollment: promotion messages (participant and case worker)
    "Good news! A seat opened up in {program}, so you are now signed up.":
        "좋은 소식이에요! {program}에 자리가 나서 신청이 됐어요.",
    "First session: {when}": "첫 수업: {when}",
    "If you can't come after all, you can cancel under ✋ Sign up.": "못 오시게 되면 ✋ 신청에서 취소해 주세요.",
    "🔎 See details": "🔎 자세히 보기",
    "{name} moved up from the waitlist of {program} and is now signed up.":
        "{name}님이 {program} 대기에서 자리가 나서 신청됐어요.",
    # consent withdrawal notes for the case worker
    "{name} withdrew the agreement to collect and use personal information. Their account stays connected "
    "and their sign-ups stay as they are, but they cannot sign up for anything new or get reminders. "
    "Please check with them what they would like to happen to their information.":
        "{name}님이 개인정보 수집·이용 동의를 철회했어요. 계정 연결과 신청 내역은 그대로지만, 새로 신청하거나 "
        "알림을 받을 수 없어요. 본인의 정보를 어떻게 하기를 원하시는지 확인해 주세요.",
    "{name} withdrew the agreement on counselling records. No new counselling notes can be written for them. "
    "Please check with them about the records already kept.":
        "{name}님이 상담 기록(민감정보) 동의를 철회했어요. 앞으로 상담 기록을 새로 남길 수 없어요. "
        "이미 있는 기록은 어떻게 할지 본인과 확인해 주세요.",
    # RSVP
    "🙆 I'll be there": "🙆 참석할게요",
    "🙅 I can't come": "🙅 못 가요",
    "🤒 I'm sick": "🤒 아파요",
    "📌 Something came up": "📌 일이 생겼어요",
    "💬 Other reason": "💬 기타",
    "sick": "아파서",
    "something came up": "일이 생겨서",
    "another reason": "기타 사정",
    "{name} can't come to {program} on {when}.": "{name}님이 {when} {program}에 못 온다고 했어요.",
    "Reason: {reason}": "사유: {reason}",
    "{name} will come to {program} on {when} after all.": "{name}님이 {when} {program}에 참석한다고 답을 바꿨어요.",
    "This session was cancelled, so there is no need to answer. Please check 📅 Schedule for the next one.":
        "이 수업은 취소됐어요. 답하지 않으셔도 돼요. 다음 수업은 📅 일정에서 확인해 주세요.",
    "This session has already started or is over, so the answer can't be changed now.":
        "이미 시작했거나 끝난 수업이라 지금은 답을 바꿀 수 없어요.",
    "You are not signed up for this session, so I can't take an answer for it. "
    "You can check your sign-ups under ✋ Sign up.":
        "이 수업은 신청하지 않으셔서 답을 받을 수 없어요. ✋ 신청에서 신청 내역을 확인해 주세요.",
    "I couldn't find this session. It may have been changed. Please check 📅 Schedule.":
        "이 수업을 찾을 수 없어요. 일정이 바뀌었을 수 있어요. 📅 일정에서 확인해 주세요.",
    "Nothing was changed.": "바뀐 것은 없어요.",
    "That button no longer works. Please check 📅 Schedule.": "이 버튼은 이제 쓸 수 없어요. 📅 일정에서 확인해 주세요.",
    "Thank you! I've noted that you will come to {program} on {when}. See you there!":
        "고마워요! {when} {program}에 오신다고 적어 둘게요. 그때 만나요!",
    "Answer saved.": "답을 저장했어요.",
    "All right, I've noted that you can't come to {program} on {when}.\nMay I ask why? Your worker will be told.":
        "알겠어요. {when} {program}에 못 오신다고 적어 둘게요.\n무슨 일이 있으신지 알려 주시겠어요? "
        "담당 선생님께 전해 드려요.",
    "Thank you for letting me know. I'll pass it on to your worker.": "알려 주셔서 고마워요. 담당 선생님께 전해 드릴게요.",
    "Please take good care of yourself.": "몸조리 잘하세요.",
    # schedule
    "This week's sessions:": "이번 주 일정이에요:",
    "This month's sessions:": "이번 달 일정이에요:",
    "Next month's sessions:": "다음 달 일정이에요:",
    "There are no sessions for you this week.": "이번 주에는 일정이 없어요.",
    "There are no sessions for you this month.": "이번 달에는 일정이 없어요.",
    "There are no sessions for you next month yet.": "다음 달 일정은 아직 없어요.",
    "📋 My sessions": "📋 내 일정",
    "🗓 This week": "🗓 이번 주",
    "📆 This month": "📆 이번 달",
    "➡️ Next month": "➡️ 다음 달",
    "{hours} hours": "{hours}시간",
    "✅ signed up": "✅ 신청함",
    "(already held)": "(지난 수업)",
    "you said you can't come": "못 간다고 답함",
    "⏳ on the waitlist": "⏳ 대기 중",
    "Instructor: {name}": "강사: {name}",
    "◀ Previous": "◀ 이전",
    "Next ▶": "다음 ▶",
    "Will you come to {program} on {when}?": "{when} {program}에 오시나요?",
    "Your answer: I'll be there. You can change it below.": "지금 답: 참석할게요. 아래에서 바꿀 수 있어요.",
    "Your answer: I can't come. You can change it below.": "지금 답: 못 가요. 아래에서 바꿀 수 있어요.",
    "(page {page} of {pages})": "({pages}쪽 중 {page}쪽)",
    "Public holidays: {days}": "공휴일: {days}",
    "That button no longer works. Please tap 📅 Schedule again.": "이 버튼은 이제 쓸 수 없어요. 📅 일정을 다시 눌러 주세요.",
    # sign-up
    "education": "교육",
    "club": "동아리",
    "class": "강좌",
    "meeting": "회의",
    "You have withdrawn your agreement to the use of your personal information, "
    "so I can't take new sign-ups or answers from you here.\n"
    "If you would like to use this again, you can agree again below. "
    "Your worker at the center can also help you in person.":
        "개인정보 이용 동의를 철회하셔서 여기서는 새로 신청하거나 답을 받을 수 없어요.\n"
        "다시 이용하고 싶으시면 아래에서 다시 동의해 주세요. 센터 담당 선생님께 직접 도움을 받으셔도 돼요.",
    "✅ Agree again": "✅ 다시 동의하기",
    "That button no longer works. Please tap ✋ Sign up again.": "이 버튼은 이제 쓸 수 없어요. ✋ 신청을 다시 눌러 주세요.",
    "📋 See the programs": "📋 프로그램 목록 보기",
    "I couldn't find that sign-up. It may have been cancelled already. Please choose from the list.":
        "그 신청을 찾을 수 없어요. 이미 취소되었을 수 있어요. 목록에서 다시 골라 주세요.",
    "you are signed up": "신청했어요",
    "you are number {position} on the waitlist": "대기 {position}번째예요",
    "completed": "수료했어요",
    "no limit on places": "인원 제한 없음",
    "full, {count} waiting": "자리 없음, 대기 {count}명",
    "{seats} places left": "자리 {seats}개 남음",
    "❌ Cancel": "❌ 취소",
    "⏳ {program} (waiting no. {position})": "⏳ {program} (대기 {position}번)",
    "❌ Leave waitlist": "❌ 대기 취소",
    "What you have signed up for:": "내가 신청한 것:",
    "Programs you can sign up for now:": "지금 신청할 수 있는 프로그램:",
    "Tap a program to see the details and sign up.": "프로그램을 누르면 자세한 내용을 보고 신청할 수 있어요.",
    "There is nothing new to sign up for right now. Your worker will tell you when new classes open.":
        "지금은 새로 신청할 수 있는 프로그램이 없어요. 새 수업이 열리면 센터에서 알려 드려요.",
    "Next session: {when}": "다음 수업: {when}",
    "Sessions left: {left} of {total} ({hours} hours in all)": "남은 수업: {left}회 (전체 {total}회, 모두 {hours}시간)",
    "To complete it: attend {hours} hours": "수료 기준: {hours}시간 참석",
    "To complete it: attend {percent} percent of the sessions": "수료 기준: 수업의 {percent}% 이상 참석",
    "Places: no limit": "정원: 제한 없음",
    "Places: {capacity}, all taken ({count} waiting)": "정원: {capacity}명, 자리가 다 찼어요 (대기 {count}명)",
    "Places: {capacity}, {seats} left": "정원: {capacity}명, 남은 자리 {seats}개",
    "Sign up by: {when}": "신청 마감: {when}",
    "Your place: {status}": "내 상태: {status}",
    "This program is not taking sign-ups now.": "지금은 신청을 받지 않아요.",
    "It is full. If you join the waitlist, you will be number {position}. "
    "When a place opens, you get it automatically and I will tell you.":
        "자리가 다 찼어요. 대기 신청을 하시면 {position}번째가 돼요. 자리가 나면 자동으로 신청되고 바로 알려 드릴게요.",
    "❌ Cancel my sign-up": "❌ 신청 취소하기",
    "❌ Leave the waitlist": "❌ 대기 취소하기",
    "⏳ Join the waitlist": "⏳ 대기 신청하기",
    "✋ Sign me up": "✋ 신청하기",
    "◀ Back to the list": "◀ 목록으로",
    "You have not signed up for anything, so there is nothing to cancel.": "신청한 것이 없어서 취소할 것이 없어요.",
    "Which sign-up would you like to cancel?": "어떤 신청을 취소할까요?",
    "❌ {program}": "❌ {program} 취소",
    "Never mind": "그만둘게요",
    "You have already signed up for this.": "이미 신청하셨어요.",
    "Sorry, sign-ups for {program} have closed. Please ask your worker if you still want to join.":
        "죄송해요, {program} 신청이 마감됐어요. 그래도 참여하고 싶으시면 담당 선생님께 말씀해 주세요.",
    "{program} is full, so I put you on the waitlist. You are number {position}.\n"
    "When a place opens, you get it automatically and I will tell you.":
        "{program} 자리가 다 차서 대기자로 올렸어요. 지금 {position}번째예요.\n"
        "자리가 나면 자동으로 신청되고 바로 알려 드릴게요.",
    "You are on the waitlist.": "대기자로 올렸어요.",
    "Done! You are signed up for {program}.": "{program} 신청이 됐어요!",
    "I will remind you before each session.": "수업 전에 알림을 보내 드릴게요.",
    "You are signed up.": "신청됐어요.",
    "📅 My schedule": "📅 내 일정 보기",
    "Cancel your sign-up for {program}?\nIf you cancel, your place goes to the next person waiting.":
        "{program} 신청을 취소할까요?\n취소하면 자리가 다음 대기자에게 넘어가요.",
    "Leave the waitlist for {program}?\nIf you sign up again later, you go to the end of the line.":
        "{program} 대기를 취소할까요?\n나중에 다시 신청하면 맨 뒤 순서가 돼요.",
    "There is nothing to cancel for {program}.": "{program}에는 취소할 신청이 없어요.",
    "Yes, cancel it": "네, 취소할게요",
    "No, keep it": "아니요, 그대로 둘게요",
    "You have already completed this program, so there is nothing to cancel.": "이미 수료한 프로그램이라 취소할 수 없어요.",
    "This was already cancelled. Nothing changed.": "이미 취소된 신청이에요. 바뀐 것은 없어요.",
    "Done. You have left the waitlist for {program}.": "{program} 대기를 취소했어요.",
    "Done. Your sign-up for {program} is cancelled. You can sign up again any time while places are open.":
        "{program} 신청을 취소했어요. 신청 기간 안에는 언제든 다시 신청할 수 있어요.",
    "Cancelled.": "취소했어요.",
    # my attendance
    "Present {present} · late {late} · absent {absent} · excused {excused}":
        "출석 {present}회 · 지각 {late}회 · 결석 {absent}회 · 사유 결석 {excused}회",
    "Hours attended: {hours} of the {required} needed": "참석 시간: {hours}시간 (수료 기준 {required}시간)",
    "Sessions attended: {attended} of the {required} needed ({percent} percent of {total})":
        "참석: {attended}회 (수료 기준 {required}회, 전체 {total}회의 {percent}%)",
    "Hours attended: {hours}": "참석 시간: {hours}시간",
    "🎓 Completed! Well done.": "🎓 수료했어요! 정말 수고 많으셨어요.",
    "{hours} more hours to complete it.": "수료까지 {hours}시간 남았어요.",
    "{count} more sessions to complete it.": "수료까지 {count}회 더 참석하면 돼요.",
    "Sessions still to come: {count} ({hours} hours)": "앞으로 남은 수업: {count}회 ({hours}시간)",
    "The sessions left may not be enough. Please talk to your worker; they can help.":
        "남은 수업만으로는 수료가 어려울 수 있어요. 담당 선생님께 말씀해 주세요. 도와드릴 거예요.",
    "You are not signed up for any program yet, so there is no attendance to show. Tap ✋ Sign up to find one.":
        "아직 신청한 프로그램이 없어서 보여 드릴 출석이 없어요. ✋ 신청에서 찾아보세요.",
    "Your attendance:": "내 출석이에요:",
    "Attendance is recorded by your worker. If something looks wrong, please tell them.":
        "출석은 담당 선생님이 기록해요. 틀린 것이 있으면 말씀해 주세요.",
    # reminders
    "🌙 Evening before": "🌙 전날 저녁",
    "⏰ 2 hours before": "⏰ 2시간 전",
    "🔔 Both": "🔔 둘 다",
    "🔕 None": "🔕 받지 않기",
    "the evening before (6 PM)": "전날 저녁 (오후 6시)",
    "2 hours before": "수업 2시간 전",
    "the evening before (6 PM) and 2 hours before": "전날 저녁 (오후 6시)과 수업 2시간 전",
    "no reminders": "알림 받지 않음",
    "{start} to {end}": "{start} ~ {end}",
    "🔔 Reminder settings": "🔔 알림 설정",
    "When: {timing}": "언제: {timing}",
    "Quiet hours: {hours}": "조용한 시간: {hours}",
    "Language: {language}": "언어: {language}",
    "During quiet hours I send nothing. If a session starts before they end, I remind you earlier instead.":
        "조용한 시간에는 알림을 보내지 않아요. 그 시간이 끝나기 전에 수업이 있으면 미리 알려 드려요.",
    "You won't get reminders. You can always check 📅 Schedule.": "알림을 받지 않아요. 일정은 언제든 📅 일정에서 볼 수 있어요.",
    "Tap what you would like to change.": "바꾸고 싶은 것을 눌러 주세요.",
    "🤫 Change quiet hours": "🤫 조용한 시간 바꾸기",
    "No quiet hours": "조용한 시간 없음",
    "{hours} (usual)": "{hours} (기본)",
    "◀ Back": "◀ 뒤로",
    "When should I stay quiet? I won't send reminders during these hours.":
        "언제 조용히 할까요? 이 시간에는 알림을 보내지 않아요.",
    "Saved.": "저장했어요.",
    "That button no longer works. Please tap 🔔 Reminders again.": "이 버튼은 이제 쓸 수 없어요. 🔔 알림을 다시 눌러 주세요.",
    # settings: agreements
    "✅ agreed": "✅ 동의함",
    "✖️ not agreed": "✖️ 동의 안 함",
    "Your agreements:": "내 동의 상태:",
    "Personal information: {answer}": "개인정보 수집·이용: {answer}",
    "Counselling records: {answer}": "상담 기록(민감정보): {answer}",
    "📄 Read the agreements": "📄 동의 내용 보기",
    "✖️ Withdraw personal information agreement": "✖️ 개인정보 동의 철회",
    "✅ Agree to personal information again": "✅ 개인정보 다시 동의하기",
    "✖️ Withdraw counselling records agreement": "✖️ 상담 기록 동의 철회",
    "✅ Agree to counselling records": "✅ 상담 기록 동의하기",
    "Withdraw your agreement to the use of your personal information?\n"
    "If you withdraw it:\n"
    "• You can't sign up for new programs here, and I stop sending reminders.\n"
    "• Your agreement on counselling records is withdrawn with it.\n"
    "• What you have already signed up for stays as it is. You can cancel it under ✋ Sign up.\n"
    "• Your Telegram account stays connected. I record that you withdrew and tell your worker.\n"
    "• If you want your information deleted, please tell your worker.\n"
    "• You can agree again in Settings at any time.":
        "개인정보 수집·이용 동의를 철회할까요?\n"
        "철회하면 이렇게 돼요:\n"
        "• 여기서 새 프로그램을 신청할 수 없고, 알림도 보내지 않아요.\n"
        "• 상담 기록 동의도 함께 철회돼요.\n"
        "• 이미 신청한 것은 그대로예요. 취소하려면 ✋ 신청에서 해 주세요.\n"
        "• 텔레그램 연결은 그대로예요. 철회하신 사실을 기록하고 담당 선생님께 알려 드려요.\n"
        "• 정보를 지우고 싶으시면 담당 선생님께 말씀해 주세요.\n"
        "• 언제든 설정에서 다시 동의할 수 있어요.",
    "Withdraw your agreement on counselling records?\n"
    "If you withdraw it:\n"
    "• Your worker will not write new counselling records here. You can still get counselling.\n"
    "• If you want the records already kept deleted, please tell your worker.\n"
    "• I record that you withdrew and tell your worker.\n"
    "• You can agree again in Settings at any time.":
        "상담 기록 동의를 철회할까요?\n"
        "철회하면 이렇게 돼요:\n"
        "• 담당 선생님이 여기에 상담 기록을 새로 남기지 않아요. 상담은 그대로 받을 수 있어요.\n"
        "• 이미 있는 기록을 지우고 싶으시면 담당 선생님께 말씀해 주세요.\n"
        "• 철회하신 사실을 기록하고 담당 선생님께 알려 드려요.\n"
        "• 언제든 설정에서 다시 동의할 수 있어요.",
    "◀ Back to settings": "◀ 설정으로",
    "All right, nothing changed.": "알겠어요. 바뀐 것은 없어요.",
    "Yes, withdraw it": "네, 철회할게요",
    "Done. Your agreement is withdrawn and recorded, and your worker will be told. "
    "You can agree again in Settings whenever you like.":
        "철회했어요. 철회하신 사실을 기록했고 담당 선생님께도 알려 드릴게요. 설정에서 언제든 다시 동의할 수 있어요.",
    "Done. No new counselling records will be kept here. Your worker will be told.":
        "철회했어요. 앞으로 여기에 상담 기록을 남기지 않아요. 담당 선생님께도 알려 드릴게요.",
    "Thank you. Your agreement is recorded. You can sign up and get reminders again.":
        "고마워요. 동의를 기록했어요. 이제 다시 신청하고 알림을 받을 수 있어요.",
    "Please agree to the use of your personal information first.": "먼저 개인정보 수집·이용에 동의해 주세요.",
    "Thank you. Your agreement on counselling records is recorded.": "고마워요. 상담 기록 동의를 기록했어요.",
    "That button no longer works. Please open ⚙️ Settings again.": "이 버튼은 이제 쓸 수 없어요. ⚙️ 설정을 다시 열어 주세요.",
}
