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
}
