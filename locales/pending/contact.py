KO = {
    # "please call me": the participant's side
    "☎️ Ask my worker to get in touch": "☎️ 담당 선생님께 연락 부탁하기",
    "☎️ I'll ask your worker to get in touch with you.\nWhat is it about?":
        "☎️ 담당 선생님께 연락을 부탁드릴게요.\n어떤 일로 연락드릴까요?",
    "📞 Please call me": "📞 전화 부탁해요",
    "🗓 A question about my schedule": "🗓 일정이 궁금해요",
    "🏢 About my work site": "🏢 일터 일이에요",
    "💬 Something else": "💬 기타",
    "I've told your worker. They will get in touch with you soon.": "담당 선생님께 전했어요. 곧 연락드릴 거예요.",
    "I've told the center. Someone will get in touch with you soon.": "센터에 전했어요. 곧 연락드릴 거예요.",
    "Passed on.": "전했어요.",
    "I already passed this on today. Someone will get in touch with you soon.\n"
    "If it is urgent, please call the center.":
        "오늘 이미 전했어요. 곧 연락드릴 거예요.\n급하시면 센터로 전화해 주세요.",
    "Already passed on today.": "오늘 이미 전했어요.",
    "Sorry, I can't pass this on right now: nobody at the center can get my messages yet.\n"
    "Please call the center directly.":
        "죄송해요. 지금은 센터에 전해 드릴 수가 없어요.\n센터에 직접 전화해 주세요.",
    "All right, I didn't pass anything on.": "알겠어요. 아무것도 전하지 않았어요.",
    "Nothing was sent.": "보낸 것은 없어요.",
    "That button no longer works. Please open ❓ Help again.": "이 버튼은 이제 쓸 수 없어요. ❓ 도움말을 다시 눌러 주세요.",
    # "please call me": what the case worker (or a manager) reads
    "☎️ {who} asked you to get in touch ({when}).": "☎️ {who} 님이 연락을 부탁했어요 ({when}).",
    "They would like a phone call.": "전화를 부탁했어요.",
    "They have a question about the schedule.": "일정이 궁금하대요.",
    "It is about their work site.": "일터(사업단) 일이래요.",
    "It is about something else. Please ask them.": "다른 일이래요. 직접 여쭤봐 주세요.",
}
