KO = {
    "⚠️ {who} no longer gets messages from the bot. They may have blocked it or removed Telegram. Please reach them by phone or in person.":
        "⚠️ {who} 님에게 알림이 더 이상 가지 않아요. 함께 봇을 차단했거나 텔레그램을 지운 것 같아요. 전화나 방문으로 연락해 주세요.",
    "✅ {who} gets messages from the bot again. Their reminders are back on.":
        "✅ {who} 님에게 다시 메시지가 가요. 일정 알림도 다시 보내 드려요.",
}
