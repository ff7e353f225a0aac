# Korean for the strings added by the field-test fixes (issue 10): attendance, consent, schedule, contact.
KO = {
    "Agreement to collect and use personal information": "개인정보 수집·이용 동의",
    "Agreement on sensitive information: counselling records": "민감정보(상담 기록) 동의",
    "Sessions in the next 7 days:": "앞으로 7일 동안의 일정이에요:",
    "There are no sessions for you in the next 7 days.": "앞으로 7일 동안은 일정이 없어요.",
    "🗓 Next 7 days": "🗓 앞으로 7일",
    "To find a class to join, tap ✋ Sign up.": "새로 들을 수업을 찾으시려면 ✋ 신청을 눌러 주세요.",
    # attendance: 조퇴, minutes, names not on the list, overwrites, the two-tap list
    "Left early": "조퇴",
    "{status} {minutes} min": "{status} {minutes}분",
    "{name} ({minutes} min)": "{name} ({minutes}분)",
    "Tap a name, then what happened: ✅ present, ⏰ late, 🏃 left early, ❌ absent, 📄 excused.":
        "이름을 누른 다음 골라 주세요: ✅ 출석, ⏰ 지각, 🏃 조퇴, ❌ 결석, 📄 사유결석",
    "not recorded": "기록 안 함",
    "{header}\n{name}: what happened? (now: {status})": "{header}\n{name} 님은 어떻게 기록할까요? (지금: {status})",
    "◀️ Back to the list": "◀️ 명단으로 돌아가기",
    "🔎 Names not on the list, as you chose:": "🔎 명단에 없던 이름은 이렇게 골라 주셨어요:",
    "• {typed} → {name}": "• {typed} → {name}",
    "✏️ Records already saved that will change ({count}):": "✏️ 이미 저장된 기록이 바뀌어요 ({count}건):",
    "• {name}: {old} → {new}": "• {name}: {old} → {new}",
    "Nothing is saved yet. Shall I save this? You can also type more names to add or change.":
        "아직 저장하지 않았어요. 이대로 저장할까요? 이름을 더 써서 보내시면 추가하거나 고칠 수 있어요.",
    "“{typed}” is not on this session's list. Did you mean one of these? ({status})":
        "“{typed}” 님은 이 회기 명단에 없어요. 혹시 이 분인가요? ({status})",
    "No, none of them": "모두 아니에요",
    "Late by {minutes} min in all": "지각 모두 {minutes}분",
    "Left early {count} times": "조퇴 {count}회",
    "({minutes} min in all)": "(모두 {minutes}분)",
    # participants: ☎️ on the keyboard, greetings
    "☎️ Contact": "☎️ 연락",
    "hello": "안녕하세요",
    "Hello, {name}! Nice to hear from you.\nWhat would you like to do? Choose one of the buttons below.":
        "안녕하세요, {name} 님! 반가워요.\n무엇을 도와드릴까요? 아래 버튼에서 골라 주세요.",
    # who gets it when there is no case worker; requests outside working hours
    "☎️ Ask the center to get in touch": "☎️ 센터에 연락 부탁하기",
    "☎️ I'll ask the center to get in touch with you.\nWhat is it about?":
        "☎️ 센터에 연락을 부탁드릴게요.\n어떤 일로 연락드릴까요?",
    "I'll pass this on to your worker when the center opens ({when}). They will get in touch with you then.":
        "센터 문을 여는 {when}에 담당 선생님께 전해 드릴게요. 그때 연락드릴 거예요.",
    "I'll pass this on to the center when it opens ({when}). Someone will get in touch with you then.":
        "센터 문을 여는 {when}에 센터에 전해 드릴게요. 그때 연락드릴 거예요.",
    "All right, I've noted that you can't come to {program} on {when}.\nMay I ask why? I'll note it for the center.":
        "알겠어요. {when} {program}에 못 오신다고 적어 둘게요.\n무슨 일이 있으신지 알려 주시겠어요? 센터에서 볼 수 있게 적어 둘게요.",
    "Thank you for letting me know. I've noted it for the center.":
        "알려 주셔서 고마워요. 센터에서 볼 수 있게 적어 둘게요.",
    "How to use Hamkke\n• 📅 Schedule: your classes and when they are.\n• ✋ Sign up: join a class, or cancel.\n• ✅ My attendance: how many hours you have, and what is left.\n• 🔔 Reminders: when I remind you before a class.\n• ☎️ Contact: ask the center to get in touch with you.\n• ⚙️ Settings: your information, agreements and the language.\nYou can also just type a word, like “schedule” or “sign up”.\nIf you get stuck, type “menu”. The people at the center are happy to help, too.":
        '"함께" 사용 방법\n• 📅 일정: 내 교육과 강좌 날짜를 볼 수 있어요.\n• ✋ 신청: 강좌를 신청하거나 취소해요.\n• ✅ 내 출석: 들은 시간과 남은 시간을 봐요.\n• 🔔 알림: 수업 전에 언제 알려 드릴지 정해요.\n• ☎️ 연락: 센터에 연락을 부탁해요.\n• ⚙️ 설정: 내 정보, 동의 내용, 언어를 봐요.\n"일정", "신청"처럼 낱말을 써 보내셔도 돼요.\n잘 모르겠으면 "메뉴"라고 써 주세요. 센터 선생님들께 물어보셔도 돼요.',
}
