"""Korean for the Telegram transports: the command list and the start-up messages of ``hamkke run``."""

KO = {
    "Start, or connect with an invitation": "시작하기 (초대 링크로 연결하기)",
    "Show the main menu": "처음 메뉴 보기",
    "My class schedule": "내 교육 일정 보기",
    "Settings and my information": "설정과 내 정보",
    "Change the language": "언어 바꾸기",
    "How to use Hamkke": "함께 사용법",
    "Stop what I'm doing": "하던 일 그만하기",
    "hamkke: the bot could not start: {reason}": "hamkke: 봇을 시작하지 못했어요: {reason}",
}
