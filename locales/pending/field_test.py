# Korean for the strings added by the field-test fixes (issue 10): attendance, consent, schedule, contact.
KO = {
    "Agreement to collect and use personal information": "개인정보 수집·이용 동의",
    "Agreement on sensitive information: counselling records": "민감정보(상담 기록) 동의",
}
