KO = {
    "No Telegram token is set, so the bot runs in the web sandbox.\n"
    "Open {url} in a browser, pick a person and chat. Press Ctrl+C to stop.\n"
    "(To chat in this terminal instead: hamkke chat --as NAME)":
        "텔레그램 토큰이 없어서 웹 체험판으로 실행해요.\n"
        "브라우저에서 {url} 주소를 열고, 사람을 골라 대화해 보세요. 끝내려면 Ctrl+C를 누르세요.\n"
        "(이 터미널에서 대화하려면: hamkke chat --as 이름)",
    "hamkke: the sandbox could not start: {reason}": "hamkke: 체험판을 시작하지 못했어요: {reason}",
}
