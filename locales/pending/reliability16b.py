KO = {
    # group chats (issue 16, finding 5)
    "To keep your personal information safe, I don't answer in group chats. Please use me in a private chat: "
    "@{bot}": "개인정보를 지키려고 단체방에서는 답하지 않아요. 저와의 1:1 대화에서만 써 주세요: @{bot}",
    "Please use a private chat with me.": "저와의 1:1 대화에서 써 주세요.",
}
