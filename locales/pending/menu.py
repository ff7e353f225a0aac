KO = {
    "✋ Sign up": "✋ 신청",
    "✅ My attendance": "✅ 내 출석",
    "🔔 Reminders": "🔔 알림",
    "✍️ Attendance": "✍️ 출석 기록",
    "📝 Counselling note": "📝 상담 기록",
    "📢 Notice": "📢 공지",
    "🗓 Sessions": "🗓 회기 관리",
    "📤 Export": "📤 내보내기",
    "📊 Targets": "📊 목표",
    "📈 Summary": "📈 요약",
}
