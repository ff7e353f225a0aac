# Korean for the strings added by the field-test fixes (issue 10): attendance, consent, schedule, contact.
KO = {
    "Agreement to collect and use personal information": "개인정보 수집·이용 동의",
    "Agreement on sensitive information: counselling records": "민감정보(상담 기록) 동의",
    "Sessions in the next 7 days:": "앞으로 7일 동안의 일정이에요:",
    "There are no sessions for you in the next 7 days.": "앞으로 7일 동안은 일정이 없어요.",
    "🗓 Next 7 days": "🗓 앞으로 7일",
    "To find a class to join, tap ✋ Sign up.": "새로 들을 수업을 찾으시려면 ✋ 신청을 눌러 주세요.",
}
