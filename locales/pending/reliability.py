KO = {
    "Updates the bot could not read, kept aside and skipped: {count}":
        "읽지 못해 따로 보관하고 건너뛴 업데이트: {count}건",
    "Interrupted by a restart while sending, maybe delivered (not sent again): {count}":
        "보내는 중 재시작으로 끊긴 메시지(전달됐을 수 있어 다시 보내지 않음): {count}건",
    "❔ Maybe delivered {count} (interrupted while sending; not sent again)":
        "❔ 전달 확인 안 됨 {count} (보내는 중 끊겼어요. 다시 보내지 않아요)",
}
