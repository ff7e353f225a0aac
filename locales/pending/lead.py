KO = {
    "How to use Hamkke\n• 📅 Schedule: your classes and when they are.\n• ✋ Sign up: join a class, or cancel.\n• ✅ My attendance: how many hours you have, and what is left.\n• 🔔 Reminders: when I remind you before a class.\n• ⚙️ Settings: your information, agreements and the language.\nYou can also just type a word, like “schedule” or “sign up”.\nIf you get stuck, type “menu”. Your worker at the center is happy to help, too.":
        '"함께" 사용 방법\n• 📅 일정: 내 교육과 강좌 날짜를 볼 수 있어요.\n• ✋ 신청: 강좌를 신청하거나 취소해요.\n• ✅ 내 출석: 들은 시간과 남은 시간을 봐요.\n• 🔔 알림: 수업 전에 언제 알려 드릴지 정해요.\n• ⚙️ 설정: 내 정보, 동의 내용, 언어를 봐요.\n"일정", "신청"처럼 낱말을 써 보내셔도 돼요.\n잘 모르겠으면 "메뉴"라고 써 주세요. 센터 담당 선생님께 물어보셔도 돼요.',
}
