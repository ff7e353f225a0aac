"""Korean for the Telegram transports: the command list and the start-up messages of ``hamkke run``."""

KO = {
    "Start, or connect with an invitation": "시작하기 (초대 링크로 연결하기)",
    "Show the main menu": "처음 메뉴 보기",
    "My class schedule": "내 교육 일정 보기",
    "Settings and my information": "설정과 내 정보",
    "Change the language": "언어 바꾸기",
    "How to use Hamkke": "함께 사용법",
    "Stop what I'm doing": "하던 일 그만하기",
    # each staff member's own list (in their chat)
    "Today's sessions at the center": "오늘 센터 일정 보기",
    "Record attendance": "출석 기록하기",
    "Write or read counselling notes": "상담 기록 쓰기·보기",
    "Send a notice, or see the ones sent": "공지 보내기·보낸 공지 보기",
    "Add, move or cancel sessions": "회기 추가·변경·취소하기",
    "Export records as an Excel file": "엑셀 파일로 내보내기",
    "Last week's summary": "지난주 요약 보기",
    "This year's targets and results": "올해 목표와 성과 보기",
    "See staff accounts, switch one off or on": "직원 계정 보기 (사용 중지·다시 사용)",
    "hamkke: the bot could not start: {reason}": "hamkke: 봇을 시작하지 못했어요: {reason}",
}
