KO = {
    # group chats (issue 16, finding 5)
    "To keep your personal information safe, I don't answer in group chats. Please use me in a private chat: "
    "@{bot}": "개인정보를 지키려고 단체방에서는 답하지 않아요. 저와의 1:1 대화에서만 써 주세요: @{bot}",
    "Please use a private chat with me.": "저와의 1:1 대화에서 써 주세요.",
    # the encryption key (issue 16, finding 7)
    "There is no key file at {path}, but the database holds {count} encrypted records. Restore the key file "
    "from your backup (or set HAMKKE_KEY_FILE or HAMKKE_ENCRYPTION_KEY); nothing was changed.":
        "{path}에 키 파일이 없는데, 데이터베이스에는 암호화된 기록이 {count}건 있어요. 백업해 둔 키 파일을 "
        "되살려 주세요(또는 HAMKKE_KEY_FILE이나 HAMKKE_ENCRYPTION_KEY를 설정해 주세요). 아무것도 바꾸지 않았어요.",
    "The encryption key ({source}) opens none of the encrypted records in the database. Restore the right key "
    "file (or add the old key to HAMKKE_ENCRYPTION_KEY); nothing was changed. Check with: hamkke key check":
        "암호화 키({source})로 데이터베이스의 암호화된 기록을 하나도 열 수 없어요. 맞는 키 파일을 되살려 "
        "주세요(또는 예전 키를 HAMKKE_ENCRYPTION_KEY에 넣어 주세요). 아무것도 바꾸지 않았어요. "
        "확인: hamkke key check",
    "Key: {source}": "키: {source}",
    "❌ There is no key file, but the database holds {count} encrypted records. Restore the key file from your "
    "backup.": "❌ 키 파일이 없는데, 데이터베이스에는 암호화된 기록이 {count}건 있어요. 백업해 둔 키 파일을 되살려 주세요.",
    "There is no key file yet and nothing is encrypted: the next start makes a new key.":
        "아직 키 파일이 없고 암호화된 기록도 없어요. 다음에 시작할 때 새 키를 만들어요.",
    "✅ Nothing is encrypted yet. Keep a copy of this key apart from the database backups.":
        "✅ 아직 암호화된 기록이 없어요. 이 키는 데이터베이스 백업과 따로 보관해 주세요.",
    "✅ The key opens all {total} encrypted records.": "✅ 이 키로 암호화된 기록 {total}건을 모두 열 수 있어요.",
    "⚠️ The key opens {opened} of {total} encrypted records. The others need an older key: add it to "
    "HAMKKE_ENCRYPTION_KEY after the current one, separated by a comma.":
        "⚠️ 이 키로 암호화된 기록 {total}건 중 {opened}건만 열 수 있어요. 나머지는 예전 키가 필요해요. "
        "HAMKKE_ENCRYPTION_KEY에 지금 키 뒤에 쉼표로 이어서 넣어 주세요.",
    "❌ The key opens none of the {total} encrypted records. Restore the right key file from your backup (or "
    "set HAMKKE_KEY_FILE or HAMKKE_ENCRYPTION_KEY).":
        "❌ 이 키로는 암호화된 기록 {total}건을 하나도 열 수 없어요. 백업해 둔 맞는 키 파일을 되살려 "
        "주세요(또는 HAMKKE_KEY_FILE이나 HAMKKE_ENCRYPTION_KEY를 설정해 주세요).",
}
