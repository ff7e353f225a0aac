KO = {
    "⚠️ No scheduler is running: reminders, digests and summaries are not being planned. Start hamkke run.":
        "⚠️ 스케줄러가 돌고 있지 않아요. 알림, 아침 안내, 주간 요약이 만들어지지 않아요. hamkke run을 실행해 주세요.",
    "⚠️ Messages that are due are waiting: the bot may be stopped or cannot reach Telegram.":
        "⚠️ 보낼 때가 된 메시지가 기다리고 있어요. 봇이 멈췄거나 텔레그램에 연결되지 않는 것 같아요.",
    "⚠️ Some messages failed in the last 24 hours.": "⚠️ 지난 24시간 동안 보내지 못한 메시지가 있어요.",
    "⚠️ Some reminders were missed in the last 24 hours (they came due while the bot was down).":
        "⚠️ 지난 24시간 동안 놓친 알림이 있어요(봇이 멈춰 있던 사이에 보낼 때가 지났어요).",
    "never": "없음",
    "Scheduler: running ({owner}), last heartbeat {at}.": "스케줄러: 실행 중 ({owner}), 마지막 확인 {at}",
    "Scheduler: not running (last heartbeat {at}).": "스케줄러: 멈춤 (마지막 확인 {at})",
    "Outbox: {pending} waiting, {sending} being sent; the oldest due one has waited {minutes} min.":
        "보낼 메시지: 대기 {pending}개, 보내는 중 {sending}개. 가장 오래 기다린 것은 {minutes}분째예요.",
    "Last 24 hours: {sent} sent, {failed} failed, {blocked} blocked, {missed} missed.":
        "지난 24시간: 보냄 {sent}, 실패 {failed}, 차단 {blocked}, 놓침 {missed}",
    "Participants the bot can't reach: {count}": "메시지가 닿지 않는 참여주민: {count}명",
    "Last message handled: {at}": "마지막으로 받은 메시지: {at}",
    "✅ All is well.": "✅ 모두 잘 돌아가고 있어요.",
}
