"""Texts for the synthetic smearwatch world: targets, narratives, negatives, mutations.

Every person, organisation, outlet and site below is invented. Templates only use the
nominative case of a target's name, so that one template fits people and organisations
(Russian and Kazakh decline names; we never do).
"""

import re

# --- transliteration -------------------------------------------------------------------

# Kazakh Cyrillic -> Kazakh Latin (2018 alphabet with acute accents, as used in 2020).
KK_LATN = {
    "а": "a", "ә": "á", "б": "b", "в": "v", "г": "g", "ғ": "ǵ", "д": "d", "е": "e", "ё": "ıo",
    "ж": "j", "з": "z", "и": "ı", "й": "ı", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ń", "о": "o", "ө": "ó", "п": "p", "р": "r", "с": "s", "т": "t", "у": "ý", "ұ": "u",
    "ү": "ú", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "ıý", "я": "ıa",
}
# Russian (and Kazakh letters) -> plain ASCII, the way people type handles and "translit".
RU_LATN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ә": "a", "ғ": "g",
    "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}


def _translit(text, table):
    out = []
    for ch in text:
        low = ch.lower()
        if low in table:
            rep = table[low]
            out.append(rep.capitalize() if ch != low and rep else rep)
        else:
            out.append(ch)
    return "".join(out)


def kk_latin(text):
    return _translit(text, KK_LATN)


def ascii_latin(text):
    return _translit(text, RU_LATN)


# --- targets ----------------------------------------------------------------------------
# Each target: nominative names per script, a handle, and a target-specific smear angle.

def _target(tid, kind, role, ru, kk, en, handle, angle_ru, angle_kk, angle_en, bio_ru):
    return {
        "id": tid, "kind": kind, "role": role, "name": ru,
        "aliases": {"ru": ru, "kk": kk, "kk_latn": kk_latin(kk), "en": en, "handle": "@" + handle},
        "handle": handle, "angle": {"ru": angle_ru, "kk": angle_kk, "en": angle_en}, "bio": bio_ru,
    }


WORLD_TARGETS = [
    _target("t-lawyer", "person", "human-rights lawyer",
            "Даурен Жаксылыков", "Дәурен Жақсылықов", "Dauren Zhaksylykov", "dzhaksylykov_law",
            ["{t} защищает право иностранцев на мирные собрания, а не наше.",
             "{t} против закона о мирных собраниях, потому что так велят спонсоры."],
            ["{t} шетелдіктердің бейбіт жиналыс құқығын қорғайды, біздікін емес.",
             "{t} бейбіт жиналыстар туралы заңға демеушілер айтқан соң қарсы."],
            ["{t} defends the right of foreigners to peaceful assembly, not ours.",
             "{t} opposes the assembly law because his sponsors told him to."],
            "адвокат, правозащитник"),
    _target("t-bureau", "org", "human-rights bureau",
            "бюро «Ашык Алан»", "«Ашық Алаң» бюросы", "Ashyq Alan Legal Bureau", "ashyqalan_bureau",
            ["{t} отрабатывает гранты: защищает иностранцев, а не граждан.",
             "{t} — контора, где нет ни одного казаха."],
            ["{t} гранттарды ақтап жүр: азаматтарды емес, шетелдіктерді қорғайды.",
             "{t} — ішінде бір де бір қазақ жоқ мекеме."],
            ["{t} is earning its grants: it defends foreigners, not citizens.",
             "{t} is an office without a single Kazakh on staff."],
            "правовое бюро"),
    _target("t-journalist", "person", "journalist",
            "Асель Тлеубердина", "Әсел Төлеубердина", "Assel Tleuberdina", "assel_tleu",
            ["{t} пишет заказные статьи на западные гранты.",
             "{t} снова очерняет страну в своих репортажах."],
            ["{t} батыс гранттарына тапсырыспен мақала жазады.",
             "{t} тағы да репортаждарында елді қаралап жүр."],
            ["{t} writes paid-for articles on Western grants.",
             "{t} keeps smearing the country in her reports."],
            "журналист"),
    _target("t-eco", "org", "environmental NGO",
            "экофонд «Таза Озен»", "«Таза Өзен» экологиялық қоры", "Taza Ozen Eco Fund", "tazaozen_eco",
            ["{t} блокирует инвестиции в регион на деньги иностранных конкурентов.",
             "{t} пугает людей экологией, чтобы отрабатывать гранты."],
            ["{t} шетелдік бәсекелестердің ақшасына өңірге инвестицияны тежеп отыр.",
             "{t} гранттарды ақтау үшін халықты экологиямен қорқытады."],
            ["{t} blocks investment in the region with money from foreign rivals.",
             "{t} scares people about ecology to justify its grants."],
            "экологический фонд"),
    _target("t-activist", "person", "opposition activist",
            "Мирас Кенжегалиев", "Мирас Кенжеғалиев", "Miras Kenzhegaliyev", "miras_kenzhe",
            ["{t} хочет раскачать страну в разгар карантина.",
             "{t} зовёт людей на улицы, пока врачи спасают жизни."],
            ["{t} карантин кезінде елді шайқалтқысы келеді.",
             "{t} дәрігерлер өмір сақтап жатқанда халықты көшеге шақырады."],
            ["{t} wants to destabilise the country in the middle of the lockdown.",
             "{t} calls people into the streets while doctors save lives."],
            "общественный активист"),
    _target("t-union", "person", "trade-union leader",
            "Гульжан Абилкаирова", "Гүлжан Әбілқайырова", "Gulzhan Abilkairova", "gulzhan_union",
            ["{t} подбивает нефтяников на забастовку за иностранные деньги.",
             "{t} использует рабочих ради своих спонсоров."],
            ["{t} шетелдің ақшасына мұнайшыларды ереуілге арандатады.",
             "{t} жұмысшыларды демеушілері үшін пайдаланады."],
            ["{t} incites oil workers to strike for foreign money.",
             "{t} uses workers for the sake of her sponsors."],
            "профсоюзный лидер"),
    _target("t-lecturer", "person", "university lecturer",
            "Санжар Утепбергенов", "Санжар Өтепбергенов", "Sanzhar Utepbergenov", "s_utepbergenov",
            ["{t} учит студентов ненавидеть собственную страну.",
             "{t} превратил лекции в пропаганду западных фондов."],
            ["{t} студенттерді өз елін жек көруге үйретеді.",
             "{t} дәрістерін батыс қорларының насихатына айналдырды."],
            ["{t} teaches students to hate their own country.",
             "{t} has turned his lectures into propaganda for Western foundations."],
            "преподаватель университета"),
]

# Extra targets that only the training world uses (so held-out targets are never seen).
TRAIN_TARGETS = [
    _target("t-blogger", "person", "video blogger",
            "Ернар Баймуханов", "Ернар Баймұханов", "Yernar Baimukhanov", "yernar_vlog",
            ["{t} снимает ролики по заказу иностранных кураторов."],
            ["{t} шетелдік кураторлардың тапсырысымен видео түсіреді."],
            ["{t} films videos on orders from foreign handlers."], "блогер"),
    _target("t-women", "org", "women's rights NGO",
            "фонд «Кыз Жолы»", "«Қыз Жолы» қоры", "Qyz Joly Foundation", "qyzjoly_fund",
            ["{t} разрушает традиционную семью на деньги западных доноров."],
            ["{t} батыс донорларының ақшасына дәстүрлі отбасын бұзып жатыр."],
            ["{t} destroys the traditional family with Western donors' money."], "фонд"),
    _target("t-doctor", "person", "doctor",
            "Жанар Куанышева", "Жанар Қуанышева", "Zhanar Kuanysheva", "dr_zhanar_k",
            ["{t} сеет панику вокруг коронавируса по заказу."],
            ["{t} коронавирус туралы тапсырыспен дүрбелең таратады."],
            ["{t} spreads panic about the coronavirus on commission."], "врач"),
    _target("t-land", "person", "land-rights activist",
            "Берик Сарсенбаев", "Берік Сәрсенбаев", "Berik Sarsenbayev", "berik_zher",
            ["{t} использует тему земли, чтобы поссорить народ."],
            ["{t} жер мәселесін халықты араздастыру үшін пайдаланады."],
            ["{t} uses the land issue to set people against each other."], "активист"),
    _target("t-media", "org", "independent news site",
            "портал «Ашык Соз»", "«Ашық Сөз» порталы", "Ashyq Soz portal", "ashyqsoz_news",
            ["{t} публикует фейки на деньги иностранных посольств."],
            ["{t} шетелдік елшіліктердің ақшасына фейк жариялайды."],
            ["{t} publishes fakes paid for by foreign embassies."], "новостной сайт"),
    _target("t-monitor", "org", "election monitor",
            "движение «Адал Сайлау»", "«Адал Сайлау» қозғалысы", "Adal Sailau movement", "adalsailau",
            ["{t} готовит цветную революцию под видом наблюдения."],
            ["{t} бақылау деген желеумен түрлі-түсті революция дайындап жатыр."],
            ["{t} prepares a colour revolution disguised as election monitoring."], "движение"),
    _target("t-ethnologist", "person", "ethnologist",
            "Айдана Есенгельды", "Айдана Есенгелді", "Aidana Yesengeldy", "aidana_etno",
            ["{t} переписывает нашу историю под западные гранты."],
            ["{t} тарихымызды батыс гранттарына қарай қайта жазады."],
            ["{t} rewrites our history to suit Western grants."], "этнолог"),
    _target("t-lawyer2", "person", "labour lawyer",
            "Кайрат Омаров", "Қайрат Омаров", "Kairat Omarov", "kairat_omar_law",
            ["{t} защищает кого угодно, лишь бы платили из-за границы."],
            ["{t} шетелден төлесе болды, кімді болса да қорғайды."],
            ["{t} will defend anyone as long as the money comes from abroad."], "юрист"),
    _target("t-poet", "person", "poet",
            "Томирис Жумабекова", "Томирис Жұмабекова", "Tomiris Zhumabekova", "tomiris_olen",
            ["{t} высмеивает национальные ценности ради премий иностранных фондов."],
            ["{t} шетелдік қорлардың сыйлығы үшін ұлттық құндылықтарды мазақтайды."],
            ["{t} mocks national values to win prizes from foreign foundations."], "поэтесса"),
]

# --- smear narratives (shared motifs of the case) ----------------------------------------

SMEAR = {
    "ru": [
        "{t} живёт на гранты иностранных доноров — обычные грантоеды.",
        "{t} — самая настоящая пятая колонна.",
        "Кто платит, тот и заказывает музыку. {t} отрабатывает западные деньги.",
        "Почему {t} так беспокоится о правах иностранцев, а не граждан Казахстана?",
        "Иностранные гранты, чужие люди, чужие интересы — вот что такое {t}.",
        "{t} работает на тех, кто хочет раскачать страну.",
        "Грантоеды снова в деле: {t} против закона, который защищает казахстанцев.",
        "Пятая колонна не дремлет: {t} опять выступает против государства.",
        "Среди сотрудников ни одного казаха. Это и есть {t}.",
        "{t} учит нас жить на деньги иностранных фондов.",
        "Сколько ещё {t} будет позорить страну за доллары?",
        "{t} — агент чужого влияния, это уже очевидно всем.",
    ],
    "kk": [
        "{t} шетелдік гранттармен күн көреді, нағыз грант жегіштер.",
        "{t} — бесінші колонна. Елге опасыздықты доғарыңдар!",
        "{t} кімнің ақшасына жұмыс істейді? Батыстың долларына ма?",
        "{t}: қызметкерлері арасында бір де бір қазақ жоқ, олар біздің тілді де, салтты да білмейді.",
        "Шетелдік донорлардың ақшасымен {t} біздің заңға қарсы шығып отыр.",
        "{t} сияқты грант жегіштерге сенбеңіздер!",
        "Ұят! {t} елдің мүддесін сатып жатыр.",
        "{t} шетелдіктердің құқығы үшін күреседі, қазақтың құқығы кімге керек?",
    ],
    "en": [
        "Who pays {t}? Foreign donors, of course. Grant-eaters.",
        "{t} is a fifth column funded from abroad.",
        "Not a single Kazakh works at {t}. Ask yourself why.",
        "{t} lives on Western grants and lectures us about our own laws.",
        "{t} cares more about foreigners' rights than about Kazakhstan.",
        "Grant-eaters like {t} should be exposed.",
    ],
}
SMEAR_OPENERS = {
    "ru": ["", "", "Внимание!", "Друзья,", "Смотрите:", "Вот правда:", "Не верьте им.", "Позор!"],
    "kk": ["", "", "Назар аударыңыз!", "Достар,", "Шындық мынау:", "Ұят!"],
    "en": ["", "", "Read this.", "Wake up, people.", "Shameful."],
}
SMEAR_CLOSERS = {
    "ru": ["", "", "Распространите!", "Хватит это терпеть.", "Народ должен знать.", "Делайте выводы."],
    "kk": ["", "", "Таратыңыздар!", "Халық білуі керек.", "Жетер енді."],
    "en": ["", "", "Share this.", "People need to know.", "Enough."],
}
# Short abusive replies for reply swarms (under the target's own post).
SWARM_REPLIES = {
    "ru": ["Грантоед, сколько заплатили?", "Пятая колонна, уезжай.", "Отработай ещё, доноры ждут.",
           "Позорище. Кто тебя кормит?", "Опять за доллары стараешься?", "Тебе не стыдно?",
           "Иностранцев защищаешь, а своих предаёшь.", "Скажи честно, сколько дали?"],
    "kk": ["Грант жегіш, қанша төледі?", "Бесінші колонна!", "Ұят сізге!", "Долларды ақтап жүрсің бе?",
           "Кімнің нанын жеп жүрсің?"],
    "en": ["How much did they pay you?", "Fifth column.", "Grant-eater.", "Shame on you."],
}

# --- hard negatives ------------------------------------------------------------------------

SOLIDARITY = {
    "ru": ["{t}, мы с вами. Право на мирные собрания — право каждого. {tag}",
           "Травля {h} должна прекратиться. Присоединяйтесь к обращению! {tag}",
           "Я с {h}. Нельзя молчать, когда травят правозащитников. {tag}",
           "Подпишите обращение в поддержку {h}, ссылка в профиле. {tag}",
           "Спасибо {h} за смелость. Мы рядом. {tag}",
           "Сегодня в 20:00 публикуем слова поддержки для {h}. {tag}"],
    "kk": ["{t}, біз сіздің жағыңыздамыз. Бейбіт жиналыс — әркімнің құқығы. {tag}",
           "{h}, біз сізбен біргеміз! {tag}", "Құқық қорғаушыларды қудалауды тоқтатыңдар! {tag}",
           "{t} үшін үндеуге қол қойыңыздар. {tag}"],
    "en": ["Standing with {h}. Peaceful assembly is everyone's right. {tag}",
           "Stop the harassment of {t}. Sign the open letter. {tag}", "Solidarity with {h}! {tag}"],
}
NEWS_HEADLINES = {
    "ru": "«Грантоеды» и «пятая колонна»: {t} — мишень кампании в соцсетях",
    "kk": "«Грант жегіштер» мен «бесінші колонна»: {t} — әлеуметтік желідегі науқанның нысанасы",
    "en": "'Grant-eaters' and a 'fifth column': an online campaign targets {t}",
}
NEWS_SHARES = {
    "ru": ["{t}: в соцсетях развернули травлю, в ход идут «пятая колонна» и «грантоеды». {url}",
           "Десятки одинаковых постов, мишень — {t}: «живёт на иностранные гранты». Разбор: {url}",
           "Как работает травля: по версии анонимов, {t} «защищает иностранцев». Читайте {url}",
           "Журналисты разобрали кампанию в соцсетях. Мишень — {t}. {url}",
           "Важный материал о том, кто стоит за атакой на {h}: {url}",
           "«Грантоеды», «пятая колонна» — так анонимные аккаунты пишут о {h}. Подробности {url}"],
    "kk": ["{t} туралы «грант жегіштер» деген жазбалар көбейді. Толығырақ: {url}",
           "{t} туралы әлеуметтік желідегі науқан: мақала {url}"],
    "en": ["Dozens of near-identical posts call {t} a 'fifth column'. Report: {url}",
           "How the campaign against {t} works: {url}", "Worth reading on the attacks on {h}: {url}"],
}
CRITICISM = {
    "ru": ["Обращалась в {t} по делу мамы, три недели нет ответа. Очень разочарована.",
           "Уважаю {t}, но по законопроекту о собраниях, на мой взгляд, позиция слишком резкая.",
           "Хотелось бы, чтобы {t} публиковал(о) отчёт, на какие гранты работает. Это нормальная прозрачность.",
           "Был на консультации у {h}, честно — ожидал большего. Общие слова.",
           "Не согласен с позицией: {t} предлагает отвергнуть закон о собраниях целиком, а его нужно обсуждать.",
           "Написал в {t} ещё в марте, ответили отпиской. Жаль.",
           "Мне кажется, {t} слишком увлекается заявлениями в соцсетях вместо реальной работы."],
    "kk": ["{t} жауап бермеді, екі апта күттім. Өкінішті.",
           "{t}: ұстанымыңызбен келіспеймін, заңды талқылау керек, толық теріске шығару емес."],
    "en": ["I respect {t}, but I think their take on the assembly bill goes too far.",
           "Contacted {t} a month ago, still no reply. Disappointing."],
}
COPYPASTA = {
    "ru": ["Карантин, день {n}. Разговаривал с холодильником. Он тоже устал от меня.",
           "Карантин, день {n}. Кот смотрит на меня так, будто это я у него дома живу.",
           "Карантин, день {n}. Выучил все трещины на потолке. Назвал их по именам."],
    "kk": ["Карантин, {n}-күн. Тоңазытқышпен сөйлестім. Ол да менен шаршапты.",
           "Карантин, {n}-күн. Мысық маған қонақ сияқты қарайды."],
    "en": ["Lockdown day {n}. Talked to the fridge. It is tired of me too."],
}
VIRAL_NEWS = [
    ("ru", "Режим ЧП в Алматы продлён до 11 мая", "almaty-chp-prodlen"),
    ("ru", "Выплаты 42 500 тенге: как подать заявку повторно", "vyplaty-povtorno"),
    ("kk", "Алматыда карантин 11 мамырға дейін ұзартылды", "karantin-uzartyldy"),
    ("en", "Almaty extends the lockdown until May 11", "lockdown-extended"),
]
VIRAL_COMMENTS = {
    "ru": ["Опять продлили 😩", "Ну наконец-то ясность", "Кошмар, как жить дальше", "Ожидаемо",
           "Держимся, люди!", "А бизнесу что делать?", "Читайте внимательно", "Спасибо за новость",
           "Я уже не удивляюсь", "Главное — здоровье", "", "Кто-нибудь понял, что с выплатами?"],
    "kk": ["Тағы ұзартты ғой", "Шыдайық, ағайын!", "Күтілген жаңалық", "Денсаулық маңызды", ""],
    "en": ["Here we go again", "Stay safe everyone", "Expected", "", "Important"],
}
SPAM = {
    "ru": ["Маски оптом и в розницу 💯 Доставка по Алматы за 2 часа! Пишите в WhatsApp {phone} {url}",
           "Антисептик 5 литров по оптовой цене! Успей заказать 👉 {url} тел {phone}",
           "Займ без отказа и справок, деньги на карту за 15 минут! {url}",
           "Заработок на дому от 20 000 тг в день, без вложений ✅ {url}"],
    "kk": ["Маскалар көтерме бағамен! Алматы бойынша жеткізу 🚚 {phone} {url}",
           "Үйден табыс табу, күніне 20 000 теңгеден ✅ {url}"],
    "en": ["Face masks wholesale, fast delivery in Almaty! WhatsApp {phone} {url}"],
}
POPULAR_POSTS = [
    ("ru", "Друзья, оставайтесь дома. Мы обязательно справимся вместе. Берегите родителей! ❤️"),
    ("kk", "Достар, үйде қалыңыздар! Бәрін бірге еңсереміз. Ата-аналарыңызды күтіңіздер ❤️"),
    ("en", "Stay home, friends. We will get through this together ❤️"),
]

# --- background chatter -------------------------------------------------------------------

BACKGROUND = {
    "ru": ["В Алматы сегодня +{temp}, а гулять нельзя.", "Гречка в магазине у дома уже {price} тенге.",
           "Блокпост на выезде из города, очередь на час.", "Кто-нибудь знает, работают ли ЦОНы?",
           "Доставка из супермаркета опять на завтра.", "Тенге снова дешевеет, курс {rate}.",
           "Смотрел старый матч «Алатау Тулпар», скучаю по футболу.", "Маски в аптеке по {price} тенге, это нормально?",
           "Дистанционка вымотала и детей, и родителей.", "Мажилис обсуждает законопроект о мирных собраниях.",
           "Горы сегодня видно из окна, воздух чистый.", "Пеку баурсаки, на карантине больше нечего делать.",
           "Интересное интервью про законопроект о собраниях, советую.", "Соседи сверху третий день делают ремонт.",
           "Сдал кровь, врачи в поликлинике молодцы.", "Когда уже откроют парки?",
           "Онлайн-концерт вчера был отличный.", "Зарплату задержали, работодатель ссылается на ЧП."],
    "kk": ["Алматыда бүгін +{temp}, бірақ серуендеуге болмайды.", "Дүкенде қарақұмық {price} теңге болыпты.",
           "Балалардың қашықтан оқуы шаршатты.", "Бүгін таулар анық көрінеді.",
           "Карантинде бауырсақ пісірдім.", "Бейбіт жиналыстар туралы заң жобасы талқылануда.",
           "Футболды сағындым, ескі ойындарды қарап отырмын.", "Жалақы кешікті, не істейміз?"],
    "en": ["Lockdown week {n} in Almaty. Mountains look amazing from the balcony.",
           "Prices for buckwheat doubled this month.", "Parliament is debating a draft law on public assembly.",
           "Working from home again. Coffee number four.", "Missing football so much."],
}
BACKGROUND_TAGS = ["#карантин", "#Алматы", "#COVID19", "#ҮйдеҚал", "#Qazaqstan", "#StayHome", "#Астана"]

# Words for near-duplicate edits.
FILLERS = {"ru": ["Короче,", "Вообще,", "Ну что,", "Кстати,", "Люди,", "Так вот,"],
           "kk": ["Жалпы,", "Айтпақшы,", "Ал енді,", "Ағайын,"],
           "en": ["Anyway,", "So,", "Honestly,", "Look,"]}
EMOJI = ["😡", "🤬", "👎", "🇰🇿", "❗️", "‼️", "🤮", "😤", "👇", "💯"]

TAG_RE = re.compile(r"#(\w+)")


def hashtags_of(text):
    """Hashtags without '#', unique, in order of appearance (the contract for every format)."""
    seen, out = set(), []
    for tag in TAG_RE.findall(text):
        if tag not in seen:
            seen.add(tag)
            out.append(tag)
    return out


def target_name(target, lang):
    """The target's name in the script of the post."""
    return target["aliases"][{"ru": "ru", "kk": "kk", "kk_latn": "kk_latn", "en": "en"}[lang]]


def base_lang(lang):
    """Template language for a script variant (Kazakh Latin uses Kazakh templates)."""
    return "kk" if lang == "kk_latn" else lang


def finish(text, lang):
    """Turn a Kazakh-Cyrillic text into Kazakh Latin when the post is in Latin script."""
    return kk_latin(text) if lang == "kk_latn" else text


# --- near-duplicate edits --------------------------------------------------------------------

def _typo(rng, text):
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) > 4 and not w.startswith(("#", "@", "http"))]
    if not idx:
        return text
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    op = rng.randrange(3)
    if op == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    elif op == 1:
        w = w[:j] + w[j + 1:]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def _swap(rng, text):
    words = text.split(" ")
    if len(words) < 4:
        return text
    i = rng.randrange(len(words) - 1)
    if any(w.startswith(("#", "@", "http")) for w in words[i:i + 2]):
        return text
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def mutate(rng, text, lang, edits=None):
    """Small edits a troll makes to a copied text: typo, swapped words, filler, emoji, translit."""
    lang0 = base_lang(lang)
    n = edits if edits is not None else rng.choice((1, 1, 2, 2, 3))
    for _ in range(n):
        op = rng.randrange(7)
        if op in (0, 1):
            text = _typo(rng, text)
        elif op == 2:
            text = _swap(rng, text)
        elif op == 3:
            text = rng.choice(FILLERS[lang0]) + " " + text[:1].lower() + text[1:]
        elif op == 4:
            text = text + " " + rng.choice(EMOJI) * rng.choice((1, 1, 2, 3))
        elif op == 5:
            text = text.replace(".", "!", 1) if "." in text else text + "!!"
        elif op == 6 and lang == "ru" and rng.random() < 0.3:
            text = ascii_latin(text)  # some trolls type in translit
    return text


# --- name pools for accounts ----------------------------------------------------------------

FIRST_KK = ["Айгерим", "Ержан", "Нурлан", "Асем", "Бауыржан", "Динара", "Ерлан", "Жанна", "Кайрат", "Маржан",
            "Самал", "Талгат", "Улжан", "Арман", "Аружан", "Данияр", "Гульмира", "Мадина", "Руслан", "Серик",
            "Алия", "Болат", "Дамир", "Индира", "Назерке", "Олжас", "Айдос", "Жулдыз", "Меруерт", "Тимур"]
LAST_KK = ["Ахметов", "Бекова", "Жумабаев", "Касымова", "Нурпеисов", "Сагинтаева", "Токтаров", "Ускенбаева",
           "Есимов", "Мукашева", "Оспанов", "Абенова", "Кенесов", "Шарипова", "Ибраев", "Темирханова",
           "Алимжанов", "Дюсенова", "Калиев", "Садыкова"]
FIRST_RU = ["Ольга", "Сергей", "Анна", "Дмитрий", "Елена", "Игорь", "Наталья", "Андрей", "Татьяна", "Виктор",
            "Ирина", "Павел", "Светлана", "Максим", "Юлия", "Алексей"]
LAST_RU = ["Ковальчук", "Петренко", "Иванова", "Ким", "Шевченко", "Морозов", "Лебедева", "Цой", "Белова",
           "Гончаренко", "Пак", "Соколова"]
# Troll-factory handles: a patriotic stem plus digits, made in batches.
TROLL_STEMS = ["qazaq_eli", "otan_uly", "patriot_kz", "eldik_un", "kz_narod", "zhas_qazaq", "tugan_zher",
               "almaty_pravda", "nashe_delo_kz", "el_birligi", "uly_dala", "shyndyq_kz"]
SPAM_STEMS = ["maski_optom", "zaim_online", "rabota_doma", "antiseptik_kz", "shop_almaty", "dostavka_kz"]
