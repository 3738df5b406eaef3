"""Pass/fail cases per QA rule, loaded by test_rules.py (sqlfluff-style case tables).

Each case: (rule, profile, srt_text, expected) where expected is the list of
1-based cue numbers the rule must flag ([] = passes). Boundary values are
included: exactly at the limit passes.
"""

def srt(*cues: tuple[str, str, str]) -> str:
    """Build an SRT from (start, end, text) with times as 'SS.mmm' or 'MM:SS.mmm'."""
    def ts(t: str) -> str:
        m, _, s = t.rpartition(":")
        sec, ms = s.split(".")
        return f"00:{int(m or 0):02d}:{int(sec):02d},{ms}"
    return "".join(f"{i}\n{ts(a)} --> {ts(b)}\n{text}\n\n" for i, (a, b, text) in enumerate(cues, 1))


RU = "netflix-ru"
ZH = "netflix-zh-hans"

CASES = [
    # --- timing -----------------------------------------------------------
    ("overlap", RU, srt(("1.000", "3.000", "Один"), ("2.500", "4.000", "Два")), [2]),
    ("overlap", RU, srt(("1.000", "3.000", "Один"), ("3.000", "4.000", "Два")), []),  # touching, no overlap
    ("min-duration", RU, srt(("1.000", "1.832", "Да")), [1]),
    ("min-duration", RU, srt(("1.000", "1.833", "Да")), []),  # exactly 833 ms
    ("max-duration", RU, srt(("1.000", "8.001", "Долго")), [1]),
    ("max-duration", RU, srt(("1.000", "8.000", "Долго")), []),  # exactly 7 s
    ("negative-duration", RU, srt(("5.000", "4.000", "Назад")), [1]),
    ("negative-duration", RU, srt(("5.000", "5.000", "Ноль")), [1]),
    ("negative-duration", RU, srt(("5.000", "5.001", "Миг")), []),
    ("out-of-order", RU, srt(("5.000", "6.000", "Б"), ("3.000", "4.000", "А")), [2]),
    ("out-of-order", RU, srt(("3.000", "4.000", "А"), ("3.000", "5.000", "Б")), []),
    # min-gap at 24 fps: 2 frames = 83 ms passes, 1 frame fails, 3..11 frames are bridged
    ("min-gap", RU, srt(("1.000", "2.000", "А"), ("2.083", "3.000", "Б")), []),
    ("min-gap", RU, srt(("1.000", "2.000", "А"), ("2.042", "3.000", "Б")), [1]),
    ("min-gap", RU, srt(("1.000", "2.000", "А"), ("2.125", "3.000", "Б")), [1]),  # 3 frames
    ("min-gap", RU, srt(("1.000", "2.000", "А"), ("2.458", "3.000", "Б")), [1]),  # 11 frames
    ("min-gap", RU, srt(("1.000", "2.000", "А"), ("2.500", "3.000", "Б")), []),  # 12 frames
    ("min-gap", "default", srt(("1.000", "2.000", "A"), ("2.000", "3.000", "B")), []),
    # --- layout -----------------------------------------------------------
    ("line-length", RU, srt(("1.000", "5.000", "Я" * 42)), []),
    ("line-length", RU, srt(("1.000", "5.000", "Я" * 43)), [1]),
    ("line-length", RU, srt(("1.000", "5.000", "<i>" + "Я" * 42 + "</i>")), []),  # tags do not count
    ("line-length", ZH, srt(("1.000", "5.000", "中" * 16)), []),
    ("line-length", ZH, srt(("1.000", "5.000", "中" * 17)), [1]),
    ("line-length", ZH, srt(("1.000", "5.000", "中" * 14 + "1927")), []),  # 14 + 4 x 0.5 = 16
    ("line-length", ZH, srt(("1.000", "5.000", "中" * 15 + "1927")), [1]),  # 17
    ("max-lines", RU, srt(("1.000", "5.000", "Раз\nДва")), []),
    ("max-lines", RU, srt(("1.000", "5.000", "Раз\nДва\nТри")), [1]),
    ("empty-cue", RU, srt(("1.000", "2.000", "<i></i>")), [1]),
    # line-break: breaks a Russian or Chinese editor would not make (written by hand)
    ("line-break", RU, srt(("1.000", "5.000", "Мы встретимся у главного входа в\nБольшой театр, как договорились.")), [1]),
    ("line-break", RU, srt(("1.000", "5.000", "Мы встретимся у главного входа\nв Большой театр, как договорились.")), []),
    ("line-break", RU, srt(("1.000", "5.000", "Письмо подписал сам А. С.\nПушкин, а вовсе не его брат.")), [1]),
    ("line-break", RU, srt(("1.000", "5.000", "Если до заправки ещё 25\nкилометров, бензина нам не хватит.")), [1]),
    ("line-break", RU, srt(("1.000", "5.000", "Свадьбу назначили на 12 июня\n2025 года, на субботу, в полдень.")), [1]),
    ("line-break", RU, srt(("1.000", "5.000", "Я бы ни за что не поверил, если\nбы не увидел этого своими глазами.")), [1]),
    ("line-break", RU, srt(("1.000", "5.000", "Вчера мы наконец посмотрели «Войну\nи мир» Бондарчука в кинотеатре.")), [1]),
    ("line-break", RU, srt(("1.000", "5.000", "Я не знаю.\nСпроси его сам.")), []),           # a sentence a line
    ("line-break", RU, srt(("1.000", "5.000", "Г-\nн Смирнов, т. е. наш новый директор, ждёт вас.")), [1]),
    ("line-break", RU, srt(("1.000", "5.000", "Г-н Смирнов, т.\nе. наш новый директор, ждёт вас в кабинете.")), [1]),
    ("line-break", RU, srt(("1.000", "5.000", "Поезд уходит\nв семь утра.")), [1]),           # fits on one line
    ("line-break", RU, srt(("1.000", "5.000", "-Ты где был?\n-На работе.")), []),             # two speakers
    ("line-break", RU, srt(("1.000", "3.000", "Если до заправки ещё 25"),
                           ("3.100", "5.000", "километров, бензина не хватит.")), [2]),          # a cue break
    ("line-break", RU, srt(("1.000", "3.000", "Если до заправки ещё 25 километров,"),
                           ("3.100", "5.000", "то бензина нам точно не хватит.")), []),
    ("line-break", ZH, srt(("1.000", "5.000", "我昨天在莫斯科见到了安娜·\n卡列尼娜的丈夫")), [1]),
    ("line-break", ZH, srt(("1.000", "5.000", "我昨天在莫斯科\n见到了安娜·卡列尼娜的丈夫")), []),
    ("line-break", ZH, srt(("1.000", "5.000", "他一口气喝了三\n瓶伏特加 然后就睡着了")), [1]),
    ("line-break", ZH, srt(("1.000", "5.000", "我奶奶最喜欢的小说是托尔斯泰的《\n战争与和平》")), [1]),
    ("line-break", ZH, srt(("1.000", "5.000", "他冷冷地说“我真的受够了\n”然后摔门走了")), [1]),
    ("line-break", ZH, srt(("1.000", "5.000", "她在莫斯科国立罗蒙诺索夫\n大学读了整整四年的哲学")), [1]),
    ("line-break", ZH, srt(("1.000", "5.000", "我觉得……\n我们还是分手吧")), []),
    ("line-break", ZH, srt(("1.000", "5.000", "我叫李梅\n我是来取文件的")), []),    # no full stop in Chinese: a sentence a line
    ("line-break", ZH, srt(("1.000", "3.000", "会议定在2024年3月"), ("3.100", "5.000", "8日下午三点")), [2]),
    # bilingual: a Chinese line with an English one under it (at least 3 such cues make a bilingual file)
    ("bilingual-line", ZH, srt(("1.000", "2.000", "嘿\nHey!"), ("3.000", "4.000", "走吧\nLet's go."),
                               ("5.000", "6.000", "好的\nOK."), ("7.000", "8.000", "我们走")), [4]),
    ("bilingual-line", ZH, srt(("1.000", "2.000", "嘿\nHey!"), ("3.000", "4.000", "走吧\nLet's go."),
                               ("5.000", "6.000", "好的\nOK."), ("7.000", "8.000", "我们走\nWe go.")), []),
    ("bilingual-line", ZH, srt(("1.000", "2.000", "嘿"), ("3.000", "4.000", "走吧"), ("5.000", "6.000", "好的")), []),
    ("bilingual-numbers", ZH, srt(("1.000", "2.000", "嘿\nHey!"), ("3.000", "4.000", "三号车厢\nCar 3."),
                                  ("5.000", "6.000", "他1927年来的\nHe came in 1928.")), [3]),
    ("bilingual-numbers", ZH, srt(("1.000", "2.000", "嘿\nHey!"), ("3.000", "4.000", "走吧\nLet's go."),
                                  ("5.000", "6.000", "他1927年来的\nHe came in 1927.")), []),
    ("empty-cue", RU, srt(("1.000", "2.000", "Есть")), []),
    # --- speed: 17 characters in 1 s is exactly the limit --------------------
    ("reading-speed", RU, srt(("1.000", "2.000", "Я" * 17)), []),
    ("reading-speed", RU, srt(("1.000", "2.000", "Я" * 18)), [1]),
    ("reading-speed", RU, srt(("1.000", "2.000", "Я" * 9 + "\n" + "Я" * 8)), []),  # line break not counted
    ("reading-speed", RU, srt(("1.000", "2.000", "<b>" + "Я" * 17 + "</b>")), []),  # tags not counted
    ("reading-speed", RU, srt(("1.000", "2.000", "Я, " * 5 + "ЯЯ")), []),  # spaces and commas count: 17
    ("reading-speed", RU, srt(("1.000", "2.000", "Я, " * 5 + "ЯЯЯ")), [1]),  # 18
    ("reading-speed", ZH, srt(("1.000", "2.000", "中" * 9)), []),
    ("reading-speed", ZH, srt(("1.000", "2.000", "中" * 10)), [1]),
    ("reading-speed", ZH, srt(("1.000", "2.000", "中" * 8 + "AB")), []),  # half-width counts 0.5: 9
    ("reading-speed", ZH, srt(("1.000", "2.000", "中" * 8 + "ABC")), [1]),  # 9.5
    # --- text -------------------------------------------------------------
    ("whitespace", RU, srt(("1.000", "3.000", "Поезд  уходит")), [1]),
    ("whitespace", RU, srt(("1.000", "3.000", " Поезд уходит")), [1]),
    ("whitespace", RU, srt(("1.000", "3.000", "Поезд уходит ")), [1]),
    ("whitespace", RU, srt(("1.000", "3.000", "Поезд уходит")), []),
    ("unclosed-tag", RU, srt(("1.000", "3.000", "<i>Там, за Байкалом…")), [1]),
    ("unclosed-tag", RU, srt(("1.000", "3.000", "Там</i>")), [1]),
    ("unclosed-tag", RU, srt(("1.000", "3.000", "<i>Там,\nза Байкалом…</i>")), []),
    ("unclosed-tag", RU, srt(("1.000", "3.000", '<font color="red">Стой</font>')), []),
    ("ellipsis", RU, srt(("1.000", "3.000", "Я давно...")), [1]),
    ("ellipsis", RU, srt(("1.000", "3.000", "Я давно…")), []),
    ("ellipsis", "default", srt(("1.000", "3.000", "I waited...")), []),  # no ellipsis rule in default
    ("dialogue-dash", RU, srt(("1.000", "3.000", "-Кто там?\n-Свои.")), []),
    ("dialogue-dash", RU, srt(("1.000", "3.000", "- Кто там?\n- Свои.")), [1]),
    ("dialogue-dash", RU, srt(("1.000", "3.000", "–Кто там?\n–Свои.")), [1]),
    ("dialogue-dash", RU, srt(("1.000", "3.000", "-Одна строка")), []),
    ("zh-punctuation", ZH, srt(("1.000", "3.000", "你是谁?")), [1]),
    ("zh-punctuation", ZH, srt(("1.000", "3.000", "你是谁？")), []),
    ("zh-punctuation", ZH, srt(("1.000", "3.000", "快走，火车要开了")), [1]),
    ("zh-punctuation", ZH, srt(("1.000", "3.000", "快走 火车要开了")), []),
    ("zh-punctuation", ZH, srt(("1.000", "3.000", "1927年 3.5公里")), []),  # decimal point in a number
    ("zh-punctuation", RU, srt(("1.000", "3.000", "Кто там?")), []),
]
